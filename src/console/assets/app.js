"use strict";
fetch("/api/session").then((r) => r.json()).then((s) => {
  document.getElementById("status").textContent = "Signed in as " + s.identity.arn;
});
