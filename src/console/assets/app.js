/* app.js: the session, the hash router and the page frame. Each view (views.js) renders into
 * <main>; on every route change the view's heading takes the focus so that keyboard and screen
 * reader users start at the top of the new content. */
"use strict";

(function () {
  const CPW = window.CPW;
  const h = CPW.h;
  let generation = 0;

  function parseRoute() {
    const raw = (window.location.hash || "#/overview").replace(/^#\/?/, "");
    const parts = raw.split("/").map((p) => {
      try {
        return decodeURIComponent(p);
      } catch (e) {
        return p;
      }
    });
    return { name: parts[0] || "overview", args: parts.slice(1) };
  }

  async function route() {
    if (window.location.hash && !window.location.hash.startsWith("#/")) return; /* an in-page anchor */
    const my = ++generation;
    const r = parseRoute();
    const view = CPW.views[r.name] || CPW.views.notfound;
    for (const a of document.querySelectorAll("header nav a")) {
      if (a.dataset.route === r.name || (r.name === "finding" && a.dataset.route === "graph")) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (CPW.cleanup) {
      CPW.cleanup();
      CPW.cleanup = null;
    }
    CPW.onShown = null;
    const main = document.getElementById("main");
    main.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    main.setAttribute("aria-busy", "true");
    const page = h("div", { class: "view view-" + r.name });
    try {
      await view(page, r.args);
    } catch (e) {
      page.appendChild(CPW.errorBox(e));
    }
    if (my !== generation) return; /* a newer route won */
    main.replaceChildren(page);
    main.removeAttribute("aria-busy");
    if (CPW.onShown) {
      const shown = CPW.onShown;
      CPW.onShown = null;
      shown();
    }
    const heading = page.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      document.title = heading.textContent + " · cpwarden console";
      if (CPW.started) heading.focus();
    }
    CPW.started = true;
    document.body.dataset.view = r.name;
    document.body.dataset.ready = String(my);
  }
  CPW.route = route;

  async function start() {
    const id = document.getElementById("identity");
    try {
      const s = await CPW.api("/api/session");
      CPW.csrf = s.csrf_token;
      CPW.session = s;
      const who = s.identity || {};
      id.replaceChildren();
      CPW.append(id, [
        h("span", null, "Account ", h("strong", null, who.account || "?")),
        " · ",
        h("span", { title: who.arn || "" }, CPW.arnName(who.arn) || "unknown identity"),
        s.endpoint ? [" · ", h("span", { class: "endpoint" }, "endpoint " + s.endpoint)] : null,
        s.version ? [" · ", h("span", null, "cpwarden " + s.version)] : null,
      ]);
    } catch (e) {
      id.textContent = "Not connected";
      const main = document.getElementById("main");
      main.replaceChildren(
        h("h1", null, "Not signed in"),
        CPW.errorBox(e),
        h("p", null, "Open the address that ", h("code", null, "cpwarden console"), " printed (it carries the access token), or start it again.")
      );
      document.body.dataset.ready = "error";
      return;
    }
    window.addEventListener("hashchange", route);
    /* The skip link moves the focus to the content without touching the route in the hash. */
    for (const a of document.querySelectorAll("a.skip")) {
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        document.getElementById("main").focus();
      });
    }
    if (!window.location.hash) window.history.replaceState(null, "", "#/overview");
    await route();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
