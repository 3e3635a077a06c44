/* views.js: one function per hash route (#/overview, #/graph, #/finding/ID,
 * #/domain/ACCOUNT/REGION/NAME, #/plan, #/apply/PLAN, #/history, #/snapshots, #/audit, #/doctor). Each
 * fills the page element it is given, reading the JSON API (docs/console.md, "API"); the router
 * (app.js) shows the page once the view's promise settles. */
"use strict";

(function () {
  const CPW = window.CPW;
  const { h, api, withQuery, exportLinks, table, renderValue, announce, errorBox, badge, confidenceBadge } = CPW;

  const SEL_KEY = "cpwarden.selection";
  try {
    for (const id of JSON.parse(window.sessionStorage.getItem(SEL_KEY) || "[]")) CPW.selection.add(String(id));
  } catch (e) {
    /* no stored selection */
  }
  function saveSelection() {
    try {
      window.sessionStorage.setItem(SEL_KEY, JSON.stringify(Array.from(CPW.selection)));
    } catch (e) {
      /* storage unavailable: the selection lives in memory only */
    }
  }

  function hashFor(...parts) {
    return "#/" + parts.map((p) => encodeURIComponent(p === null || p === undefined ? "" : p)).join("/");
  }

  function findingLink(f, text) {
    return h("a", { href: hashFor("finding", f.id) }, text || "Evidence");
  }

  function resourceOf(f) {
    return f.resource || f.resource_arn || "";
  }

  /* A domain's page, from a domain ARN arn:aws:profile:REGION:ACCOUNT:domains/NAME. */
  function domainHash(arn) {
    const m = /^arn:[^:]+:profile:([^:]*):([^:]*):domains\/(.+)$/.exec(String(arn || ""));
    return m ? hashFor("domain", m[2], m[1], m[3]) : null;
  }

  function isNotFound(e, code) {
    return e instanceof CPW.ApiError && e.status === 404 && (!code || e.code === code || !e.code);
  }

  function statusWord(s) {
    const v = String(s || "").toLowerCase();
    if (["pass", "done", "ok", "succeeded", "completed", "success", "already"].includes(v)) return { icon: "✔", cls: "ok" };
    if (v === "planned") return { icon: "•", cls: "planned" };
    if (v === "started") return { icon: "▶", cls: "pending" };
    if (["fail", "failed", "error", "refused"].includes(v)) return { icon: "✘", cls: "bad" };
    if (["skipped", "skip"].includes(v)) return { icon: "–", cls: "skip" };
    return { icon: "…", cls: "pending" };
  }

  function statusCell(s) {
    const w = statusWord(s);
    return h("span", { class: "status status-" + w.cls }, h("span", { "aria-hidden": "true" }, w.icon + " "), String(s || ""));
  }

  function section(title, ...children) {
    return h("section", { "aria-label": title }, h("h2", null, title), children);
  }

  function progressBlock(label) {
    const bar = h("progress", { max: 1, "aria-label": label });
    bar.removeAttribute("value"); /* indeterminate until the first event */
    const text = h("p", { class: "progress-text", role: "status", "aria-live": "polite" }, "");
    return { el: h("div", { class: "progress", hidden: true }, bar, text), bar, text };
  }

  /* ---------------------------------------------------------------- overview */
  async function overview(page) {
    page.appendChild(h("h1", null, "Organization overview"));
    page.appendChild(
      h("p", { class: "lead" }, "What the last scan found, per account and region: Connect instances, Customer Profiles domains, service-linked roles and findings (leftovers).")
    );
    const s = CPW.session || {};
    const orgBox = s.org ? h("input", { type: "checkbox", id: "scan-org", checked: true }) : null;
    const btn = h("button", { type: "submit", id: "scan-button", class: "primary" }, "Scan now");
    const prog = progressBlock("Scan progress");
    const form = h(
      "form",
      { class: "toolbar", "aria-label": "Scan" },
      btn,
      orgBox ? h("label", { for: "scan-org" }, orgBox, " whole organization") : null,
      h("span", { class: "muted" }, " Regions: " + ((s.regions || []).join(", ") || "the default scope")),
      prog.el
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      btn.disabled = true;
      prog.el.hidden = false;
      prog.text.textContent = "Starting the scan…";
      try {
        const body = {};
        if (orgBox) body.org = orgBox.checked;
        const r = await api("/api/scan", { method: "POST", body });
        const st = CPW.stream("/api/scan/" + encodeURIComponent(r.scan_id) + "/events", {
          progress: (d) => {
            if (d.total) {
              prog.bar.max = d.total;
              prog.bar.value = d.done || 0;
            }
            const where = [d.account, d.region].filter(Boolean).join(" ");
            prog.text.textContent = "Scanned " + (d.done || 0) + " of " + (d.total || "?") + (where ? " (" + where + ")" : "") + (d.message ? ": " + d.message : "");
          },
          done: (d) => {
            prog.bar.max = 1;
            prog.bar.value = 1;
            prog.text.textContent = "Scan finished (snapshot " + d.snapshot_id + ").";
            announce("Scan finished.");
            CPW.route();
          },
          error: (d) => {
            prog.text.textContent = "Scan failed: " + (d.message || "unknown error");
            announce("Scan failed.");
            btn.disabled = false;
          },
          transport: () => {
            prog.text.textContent = "Lost the connection to the scan's progress; reload to see its result.";
            btn.disabled = false;
          },
        });
        CPW.cleanup = st.close;
      } catch (e) {
        prog.text.textContent = "";
        form.appendChild(errorBox(e));
        btn.disabled = false;
      }
    });
    page.appendChild(form);

    let ov;
    try {
      ov = await api("/api/overview");
    } catch (e) {
      if (isNotFound(e, "NoScan")) {
        page.appendChild(h("p", { class: "empty" }, "No scan yet. Press “Scan now” to read the accounts and regions."));
        return;
      }
      throw e;
    }
    page.appendChild(h("p", null, "Snapshot ", h("strong", null, String(ov.snapshot_id)), ", scanned at ", h("time", null, ov.scanned_at || "?"), "."));
    const rows = [];
    const tot = { instances: 0, domains: 0, roles: 0, findings: 0 };
    for (const a of ov.accounts || []) {
      for (const r of a.regions || []) {
        rows.push(Object.assign({ account: a.account }, r));
        for (const k of Object.keys(tot)) tot[k] += Number(r[k] || 0);
      }
    }
    const num = (k) => (r) => {
      const v = Number(r[k] || 0);
      return h("span", { class: v && k === "findings" ? "count warn" : "count" }, String(v));
    };
    /* Regions where nothing was found are folded away by default (an organization scan has a
     * row for every account and region); one checkbox shows them. */
    const empty = (r) => !Number(r.instances || 0) && !Number(r.domains || 0) && !Number(r.roles || 0) && !Number(r.findings || 0);
    const hidden = rows.filter(empty).length;
    const showAll = h("input", { type: "checkbox", id: "show-empty" });
    const box = h("div");
    const drawRows = () => {
      const shown = showAll.checked ? rows : rows.filter((r) => !empty(r));
      CPW.fill(
        box,
        rows.length
          ? table(
              shown.concat([Object.assign({ account: "Total", region: "", total: true }, tot)]),
              [
                { label: "Account", render: (r) => (r.total ? h("strong", null, "Total") : r.account) },
                { label: "Region", render: (r) => r.region || (r.total ? "" : "global") },
                { label: "Instances", render: num("instances") },
                { label: "Domains", render: num("domains") },
                { label: "Roles", render: num("roles") },
                { label: "Findings", render: num("findings") },
              ],
              "Resources and findings per account and region" + (!showAll.checked && hidden ? " (" + hidden + " empty regions folded)" : "")
            )
          : h("p", { class: "empty" }, "The scan found no account.")
      );
    };
    showAll.addEventListener("change", drawRows);
    drawRows();
    page.appendChild(
      section(
        "Accounts and regions",
        hidden ? h("div", { class: "toolbar" }, h("label", { for: "show-empty" }, showAll, " show the " + hidden + " regions where nothing was found")) : null,
        box
      )
    );
    page.appendChild(exportLinks("/api/overview", "overview"));

    let findings = [];
    try {
      findings = (await api("/api/findings")).findings || [];
    } catch (e) {
      page.appendChild(errorBox(e));
    }
    page.appendChild(
      section(
        "Findings",
        findings.length
          ? table(findings, [
              { label: "Kind", render: (f) => f.kind },
              { label: "Confidence", render: (f) => confidenceBadge(f.confidence) },
              { label: "Resource", render: (f) => h("code", null, CPW.arnName(resourceOf(f))) },
              { label: "Account", render: (f) => f.account },
              { label: "Region", render: (f) => f.region || "global" },
              { label: "Details", render: (f) => findingLink(f, "Evidence for " + CPW.arnName(resourceOf(f))) },
            ], "Leftovers found by the last scan")
          : h("p", { class: "empty" }, "No finding: nothing is left over."),
        h("p", null, h("a", { href: "#/graph" }, "See them in the graph"), " · ", h("a", { href: "#/plan" }, "Plan their deletion")),
        exportLinks("/api/findings", "findings")
      )
    );
  }

  /* ---------------------------------------------------------------- graph */
  async function graph(page) {
    page.appendChild(h("h1", null, "Graph"));
    page.appendChild(
      h("p", { class: "lead" }, "Which instance uses which domain, and which service-linked role belongs to what. Select a node (click, or Tab to it and press Enter) to see its finding and the evidence.")
    );
    const [g, fl] = await Promise.all([
      api("/api/graph").catch((e) => {
        if (isNotFound(e)) return null;
        throw e;
      }),
      api("/api/findings").catch(() => ({ findings: [] })),
    ]);
    if (!g || !(g.nodes || []).length) {
      page.appendChild(h("p", { class: "empty" }, "Nothing to draw yet: ", h("a", { href: "#/overview" }, "scan first"), "."));
      return;
    }
    const byId = new Map((fl.findings || []).map((f) => [String(f.id), f]));
    const legend = h(
      "ul",
      { class: "legend", "aria-label": "Legend" },
      h("li", null, h("span", { class: "swatch swatch-live", "aria-hidden": "true" }), "in use: solid outline, “✓ in use”"),
      ["certain", "likely", "possible"].map((c) =>
        h("li", null, h("span", { class: "swatch swatch-" + c, "aria-hidden": "true" }), "leftover, " + c + ": hatched, dashed outline, “LEFTOVER” and “⚠ kind · " + c + "”")
      )
    );
    page.appendChild(legend);
    const info = h("div", { class: "node-info", role: "status", "aria-live": "polite" });
    const activate = (n) => {
      if (n.finding_id) {
        window.location.hash = hashFor("finding", n.finding_id);
      } else if (n.kind === "domain") {
        window.location.hash = hashFor("domain", n.account, n.region, n.label);
      } else {
        info.textContent = n.label + " is in use; no finding names it.";
      }
    };
    /* Filters, for organizations: one account, or only the leftovers and what they touch. */
    const accounts = Array.from(new Set(g.nodes.map((n) => n.account || ""))).sort();
    const acctSel = h("select", { id: "graph-account" }, h("option", { value: "" }, "all accounts (" + accounts.length + ")"), accounts.map((a) => h("option", { value: a }, a)));
    const onlyLeft = h("input", { type: "checkbox", id: "graph-leftovers" });
    const scroll = h("div", { class: "graph-scroll" });
    const caption = h("figcaption");
    const svgLink = h("a", { download: "cpwarden-graph.svg", id: "export-svg", class: "export" }, "SVG");
    let url = null;
    const draw = () => {
      const acct = acctSel.value;
      let nodes = g.nodes.filter((n) => !acct || (n.account || "") === acct);
      const keep = new Set(nodes.map((n) => n.id));
      let edges = (g.edges || []).filter((e) => keep.has(e.from) && keep.has(e.to));
      if (onlyLeft.checked) {
        const near = new Set(nodes.filter((n) => n.leftover).map((n) => n.id));
        for (const e of edges) {
          if (near.has(e.from) || near.has(e.to)) {
            near.add(e.from);
            near.add(e.to);
          }
        }
        nodes = nodes.filter((n) => near.has(n.id));
        edges = edges.filter((e) => near.has(e.from) && near.has(e.to));
      }
      const svg = CPW.graph.render({ nodes, edges }, byId, activate);
      scroll.replaceChildren(svg);
      if (scroll.isConnected) CPW.graph.fit(svg);
      caption.textContent = nodes.length + " resources, " + edges.length + " links, " + nodes.filter((n) => n.leftover).length + " leftovers" + (nodes.length < g.nodes.length ? " (filtered from " + g.nodes.length + ")" : "") + ".";
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([CPW.graph.serialize(svg)], { type: "image/svg+xml" }));
      svgLink.setAttribute("href", url);
    };
    acctSel.addEventListener("change", draw);
    onlyLeft.addEventListener("change", draw);
    page.appendChild(
      h(
        "div",
        { class: "toolbar", role: "group", "aria-label": "Graph filters" },
        h("label", { for: "graph-account" }, "Account"),
        acctSel,
        h("label", { for: "graph-leftovers" }, onlyLeft, " only leftovers and what they touch")
      )
    );
    draw();
    CPW.onShown = () => draw(); /* once in the document: labels measured, the export matches */
    CPW.cleanup = () => {
      if (url) URL.revokeObjectURL(url);
    };
    page.appendChild(h("figure", { class: "graph-figure" }, scroll, caption));
    page.appendChild(info);
    page.appendChild(
      exportLinks("/api/graph", "graph", [
        svgLink,
        h("a", { href: "/api/graph.dot", download: "cpwarden-graph.dot", id: "export-dot", class: "export" }, "Graphviz DOT"),
      ])
    );
    const left = g.nodes.filter((n) => n.leftover);
    page.appendChild(
      section(
        "Leftovers in the graph",
        left.length
          ? h(
              "ul",
              { class: "leftover-list" },
              left.map((n) => {
                const f = (n.finding_id ? byId.get(String(n.finding_id)) : null) || (n.finding_kind ? { kind: n.finding_kind, confidence: n.confidence } : null);
                return h(
                  "li",
                  null,
                  n.finding_id ? h("a", { href: hashFor("finding", n.finding_id) }, n.label) : n.label,
                  " (" + n.kind + (n.region ? ", " + n.region : "") + ", account " + n.account + ")",
                  f ? [" ", badge(f.kind), " ", confidenceBadge(f.confidence)] : null
                );
              })
            )
          : h("p", { class: "empty" }, "No leftover.")
      )
    );
  }

  /* ---------------------------------------------------------------- finding */
  async function finding(page, args) {
    const id = args[0];
    const got = await api("/api/findings/" + encodeURIComponent(id));
    const f = got && got.finding ? got.finding : got;
    page.appendChild(h("h1", null, "Finding: " + f.kind));
    const res = resourceOf(f);
    page.appendChild(
      h(
        "dl",
        { class: "kv" },
        h("dt", null, "Resource"),
        h("dd", null, h("code", { class: "arn" }, res)),
        h("dt", null, "Confidence"),
        h("dd", null, confidenceBadge(f.confidence)),
        f.severity ? [h("dt", null, "Severity"), h("dd", null, f.severity)] : null,
        h("dt", null, "Account"),
        h("dd", null, f.account || "—"),
        h("dt", null, "Region"),
        h("dd", null, f.region || "global (IAM)"),
        h("dt", null, "Can be planned"),
        h("dd", null, f.plannable ? "yes" : "no: nothing here is safe to delete automatically"),
        f.action ? [h("dt", null, "What to do"), h("dd", null, f.action)] : null
      )
    );
    const ev = Array.isArray(f.evidence) ? f.evidence : [];
    page.appendChild(
      section(
        "Evidence",
        ev.length
          ? h("ol", { class: "evidence" }, ev.map((e) => h("li", null, typeof e === "object" ? renderValue(e) : String(e))))
          : h("p", { class: "empty" }, "No evidence recorded.")
      )
    );
    const actions = h("div", { class: "toolbar" });
    if (f.plannable) {
      const sid = String(f.id);
      const btn = h("button", { type: "button", id: "select-finding", "aria-pressed": CPW.selection.has(sid) ? "true" : "false" });
      const sync = () => {
        const on = CPW.selection.has(sid);
        btn.textContent = on ? "Remove from the plan selection" : "Add to the plan selection";
        btn.setAttribute("aria-pressed", on ? "true" : "false");
      };
      btn.addEventListener("click", () => {
        if (CPW.selection.has(sid)) CPW.selection.delete(sid);
        else CPW.selection.add(sid);
        saveSelection();
        sync();
        announce(CPW.selection.has(sid) ? "Added to the plan selection." : "Removed from the plan selection.");
      });
      sync();
      actions.appendChild(btn);
    }
    actions.appendChild(h("a", { href: "#/plan", class: "button" }, "Go to the plan"));
    const dh = domainHash(res);
    if (dh) actions.appendChild(h("a", { href: dh, class: "button" }, "Domain page"));
    actions.appendChild(h("a", { href: "#/graph", class: "button" }, "Back to the graph"));
    page.appendChild(actions);
    page.appendChild(exportLinks("/api/findings/" + encodeURIComponent(id), "finding"));
  }

  /* ---------------------------------------------------------------- domain */
  async function domain(page, args) {
    const [account, region, name] = args;
    const q = { account, region, name };
    page.appendChild(h("h1", null, "Domain " + (name || "")));
    page.appendChild(h("p", { class: "lead" }, "Account " + account + ", region " + region + "."));
    const d = await api(withQuery("/api/domain", q));
    page.appendChild(section("Configuration summary", renderValue(d.domain)));
    page.appendChild(section("Profiles", renderValue(d.profiles)));
    page.appendChild(section("Integrations", Array.isArray(d.integrations) && d.integrations.length ? table(d.integrations) : h("p", { class: "empty" }, "No integration.")));
    page.appendChild(
      section(
        "Documentation",
        h("p", { class: "muted" }, "The runbook's documentation template, filled in (as ", h("code", null, "cpwarden document"), " writes it)."),
        d.documentation
          ? h("div", { class: "doc" }, CPW.markdown(d.documentation, 3))
          : h("p", { class: "empty" }, "Not available" + (d.documentation_error ? ": " + d.documentation_error : "") + ".")
      )
    );
    if (Array.isArray(d.findings) && d.findings.length)
      page.appendChild(section("Findings", h("ul", null, d.findings.map((f) => h("li", null, findingLink(f, f.kind), " ", confidenceBadge(f.confidence))))));
    page.appendChild(section("Backups", Array.isArray(d.backups) && d.backups.length ? table(d.backups) : h("p", { class: "empty" }, "No backup of this domain yet (apply takes one before deleting).")));
    page.appendChild(exportLinks(withQuery("/api/domain", q), "domain"));
  }

  /* ---------------------------------------------------------------- plan */
  function renderChecklists(list) {
    if (!Array.isArray(list) || !list.length) return h("p", { class: "empty" }, "No domain is deleted: no checklist.");
    return list.map((c) => {
      if (!c || !Array.isArray(c.items)) return renderValue(c);
      return h(
        "div",
        { class: "checklist" },
        h("h4", null, "Domain " + c.domain + " (account " + c.account + ", " + c.region + ")"),
        h(
          "ul",
          null,
          c.items.map((it) => h("li", { class: "check-" + it.status }, statusCell(it.status), " ", h("strong", null, it.label), it.detail ? ": " + it.detail : ""))
        )
      );
    });
  }

  function plansTable(plans, current) {
    if (!plans.length) return h("p", { class: "empty" }, "No saved plan yet.");
    return table(plans, [
      { label: "Plan", render: (p) => (p.name === current ? h("strong", null, p.name) : p.name) },
      { label: "Created", render: (p) => p.created || "" },
      { label: "Actions", render: (p) => String(p.actions === undefined ? "" : p.actions) },
      { label: "Checksum", render: (p) => h("code", { title: p.checksum || "" }, String(p.checksum || "").slice(0, 12)) },
      { label: "File", render: (p) => h("a", { href: "/api/plans/" + encodeURIComponent(p.name), download: p.name + (String(p.name).endsWith(".json") ? "" : ".json") }, "Download " + p.name) },
      { label: "Run", render: (p) => h("a", { href: hashFor("apply", p.name) }, "Apply " + p.name) },
    ], "Saved plans");
  }

  async function plan(page) {
    page.appendChild(h("h1", null, "Plan"));
    page.appendChild(
      h("p", { class: "lead" }, "Choose the leftovers to delete. The plan is built by the same code as ", h("code", null, "cpwarden plan"), ", saved (mode 0600) in the state directory, and shows the runbook's pre-deletion checklist and what would be destroyed. Nothing is changed until you apply it.")
    );
    const fl = await api("/api/findings").catch((e) => {
      if (isNotFound(e)) return { findings: [] };
      throw e;
    });
    const findings = fl.findings || [];
    const boxes = [];
    const count = h("p", { class: "muted", role: "status", "aria-live": "polite", id: "selection-count" });
    const updateCount = () => {
      const n = boxes.filter((b) => b.checked).length;
      count.textContent = n + " of " + boxes.filter((b) => !b.disabled).length + " plannable findings selected.";
    };
    const rows = findings.map((f) => {
      const sid = String(f.id);
      const box = h("input", {
        type: "checkbox",
        id: "pick-" + sid,
        value: sid,
        name: "finding",
        checked: f.plannable && CPW.selection.has(sid),
        disabled: !f.plannable,
        "aria-describedby": "why-" + sid,
      });
      box.addEventListener("change", () => {
        if (box.checked) CPW.selection.add(sid);
        else CPW.selection.delete(sid);
        saveSelection();
        updateCount();
      });
      boxes.push(box);
      return { f, box };
    });
    const tbl = h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        null,
        h("caption", null, "Findings"),
        h("thead", null, h("tr", null, ["Select", "Kind", "Confidence", "Resource", "Account / region", "Evidence"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          rows.map(({ f, box }) =>
            h(
              "tr",
              null,
              h("td", null, box, h("label", { for: box.id, class: "visually-hidden" }, "Select " + f.kind + " " + CPW.arnName(resourceOf(f)))),
              h("td", null, f.kind),
              h("td", null, confidenceBadge(f.confidence)),
              h("td", null, h("code", null, CPW.arnName(resourceOf(f))), h("span", { id: "why-" + f.id, class: "muted small" }, f.plannable ? "" : " (not plannable: nothing safe to delete)")),
              h("td", null, (f.account || "") + " / " + (f.region || "global")),
              h("td", null, findingLink(f, "Evidence"))
            )
          )
        )
      )
    );
    const buildBtn = h("button", { type: "submit", class: "primary", id: "build-plan" }, "Build and save the plan");
    const prog = progressBlock("Building the plan");
    const result = h("div", { class: "plan-result" });
    const form = h(
      "form",
      { "aria-labelledby": "pick-heading" },
      h("h2", { id: "pick-heading" }, "Findings to act on"),
      findings.length ? tbl : h("p", { class: "empty" }, "No finding: nothing to plan. ", h("a", { href: "#/overview" }, "Scan"), " first?"),
      count,
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "button", id: "select-all", onclick: () => { for (const b of boxes) if (!b.disabled) { b.checked = true; CPW.selection.add(b.value); } saveSelection(); updateCount(); } }, "Select all plannable"),
        h("button", { type: "button", id: "select-none", onclick: () => { for (const b of boxes) { b.checked = false; CPW.selection.delete(b.value); } saveSelection(); updateCount(); } }, "Clear the selection"),
        buildBtn
      ),
      prog.el
    );
    updateCount();
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const ids = boxes.filter((b) => b.checked).map((b) => b.value);
      result.replaceChildren();
      if (!ids.length) {
        result.appendChild(h("p", { class: "error", role: "alert" }, "Select at least one finding."));
        return;
      }
      buildBtn.disabled = true;
      prog.el.hidden = false;
      prog.text.textContent = "Building the plan: reading each target's facts live…";
      try {
        const r = await api("/api/plan", { method: "POST", body: { finding_ids: ids } });
        prog.el.hidden = true;
        const p = r.plan || {};
        const acts = Array.isArray(p.actions) ? p.actions : [];
        const head = h("h2", { tabindex: "-1", id: "plan-saved" }, "Plan " + r.name + " saved");
        CPW.fill(result,
          head,
          h("p", null, acts.filter((a) => a.status === "planned").length + " planned action(s), " + acts.filter((a) => a.status !== "planned").length + " skipped or refused. Checksum ", h("code", null, String(p.checksum || "").slice(0, 16)), "."),
          h(
            "div",
            { class: "toolbar" },
            h("a", { href: "/api/plans/" + encodeURIComponent(r.name), download: r.name + (String(r.name).endsWith(".json") ? "" : ".json"), class: "button", id: "download-plan" }, "Download the plan file"),
            h("a", { href: hashFor("apply", r.name), class: "button primary", id: "go-apply" }, "Apply this plan…")
          ),
          h("h3", null, "Pre-deletion checklist"),
          renderChecklists(r.checklist || p.checklists),
          h("h3", null, "Impact"),
          renderValue(r.impact),
          h("h3", null, "Actions, in order"),
          acts.length
            ? table(acts, [
                { label: "Id", render: (a) => a.id },
                { label: "Status", render: (a) => statusCell(a.status) },
                { label: "Action", render: (a) => a.kind },
                { label: "Target", render: (a) => h("code", null, CPW.arnName((a.target || {}).name || (a.target || {}).arn)) },
                { label: "Region", render: (a) => (a.target || {}).region || "global" },
                { label: "After", render: (a) => (a.depends_on || []).join(", ") || "—" },
                { label: "Why not", render: (a) => a.reason || "" },
              ], "Actions of plan " + r.name)
            : h("p", { class: "empty" }, "The plan holds no action.")
        );
        head.focus();
        announce("Plan " + r.name + " saved.");
        plansBox.replaceChildren(plansTable((await api("/api/plans")).plans || [], r.name));
      } catch (e) {
        prog.el.hidden = true;
        result.replaceChildren(errorBox(e));
      } finally {
        buildBtn.disabled = false;
      }
    });
    page.appendChild(form);
    page.appendChild(result);
    const plansBox = h("div");
    try {
      plansBox.appendChild(plansTable((await api("/api/plans")).plans || [], null));
    } catch (e) {
      plansBox.appendChild(errorBox(e));
    }
    page.appendChild(section("Saved plans", plansBox, exportLinks("/api/plans", "plans")));
    page.appendChild(exportLinks("/api/findings", "findings"));
  }

  /* ---------------------------------------------------------------- apply */
  async function apply(page, args) {
    const name = args[0] || "";
    page.appendChild(h("h1", null, "Apply a plan"));
    page.appendChild(
      h("p", { class: "lead" }, "Runs a saved plan with the protections of ", h("code", null, "cpwarden apply"), ": the file's checksum, the account, every fact re-read live, the protection rules, and the typed confirmation. Each step appears as the journal records it.")
    );
    const plans = (await api("/api/plans")).plans || [];
    const sel = h("select", { id: "plan-select", name: "plan" }, h("option", { value: "" }, "— choose a plan —"), plans.map((p) => h("option", { value: p.name, selected: p.name === name }, p.name + (p.created ? " (" + p.created + ", " + p.actions + " actions)" : ""))));
    sel.addEventListener("change", () => {
      window.location.hash = sel.value ? hashFor("apply", sel.value) : "#/apply";
    });
    page.appendChild(h("div", { class: "field" }, h("label", { for: "plan-select" }, "Saved plan"), sel));
    if (!plans.length) page.appendChild(h("p", { class: "empty" }, "No saved plan: ", h("a", { href: "#/plan" }, "make one"), " first."));
    if (!name) return;
    const info = plans.find((p) => p.name === name);
    const conf = await api("/api/plans/" + encodeURIComponent(name) + "/confirmation");
    const input = h("input", { type: "text", id: "confirmation", name: "confirmation", autocomplete: "off", spellcheck: "false", "aria-describedby": "confirm-prompt confirm-hint", required: true });
    const go = h("button", { type: "submit", class: "danger", id: "apply-button" }, "Apply the plan");
    const msg = h("div", { id: "apply-message" });
    const form = h(
      "form",
      { "aria-labelledby": "confirm-heading", class: "confirm" },
      h("h2", { id: "confirm-heading" }, "Confirm"),
      h("pre", { id: "confirm-prompt", class: "prompt" }, conf.prompt || ""),
      conf.expected_hint ? h("p", { id: "confirm-hint", class: "hint" }, conf.expected_hint) : h("span", { id: "confirm-hint" }),
      h("div", { class: "field" }, h("label", { for: "confirmation" }, "Confirmation (type it exactly)"), input),
      go,
      msg
    );
    const prog = progressBlock("Apply progress");
    const stepsBody = h("tbody");
    const notices = h("ul", { class: "notices", "aria-label": "Notices" });
    const runBox = h(
      "section",
      { "aria-labelledby": "run-heading", hidden: true, id: "run" },
      h("h2", { id: "run-heading", tabindex: "-1" }, "Run"),
      prog.el,
      h("div", { class: "table-wrap" }, h("table", { id: "steps" }, h("caption", null, "Steps, as the journal records them"), h("thead", null, h("tr", null, ["Step", "Action", "Resource", "Status", "Message"].map((t) => h("th", { scope: "col" }, t)))), stepsBody)),
      notices,
      h("div", { id: "run-outcome" })
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      msg.replaceChildren();
      input.removeAttribute("aria-invalid");
      go.disabled = true;
      let r;
      try {
        r = await api("/api/apply", { method: "POST", body: { plan: name, confirmation: input.value } });
      } catch (e) {
        go.disabled = false;
        if (e.code === "ConfirmationMismatch") input.setAttribute("aria-invalid", "true");
        msg.appendChild(errorBox(e));
        input.focus();
        return;
      }
      input.disabled = true;
      runBox.hidden = false;
      runBox.querySelector("h2").textContent = "Run " + r.run_id;
      prog.el.hidden = false;
      const total = info && Number(info.actions) > 0 ? Number(info.actions) : 0;
      if (total) {
        prog.bar.max = total;
        prog.bar.value = 0;
      }
      prog.text.textContent = "Applying plan " + name + "…";
      runBox.querySelector("h2").focus();
      const rowsById = new Map();
      const finished = new Set();
      const st = CPW.stream("/api/apply/" + encodeURIComponent(r.run_id) + "/events", {
        step: (d) => {
          const key = String(d.step);
          const row = h("tr", { "data-step": key, class: "step-" + statusWord(d.status).cls }, h("td", null, key), h("td", null, d.action || ""), h("td", null, h("code", null, CPW.arnName(d.resource))), h("td", null, statusCell(d.status)), h("td", null, d.message || ""));
          if (rowsById.has(key)) rowsById.get(key).replaceWith(row);
          else stepsBody.appendChild(row);
          rowsById.set(key, row);
          if (statusWord(d.status).cls !== "pending") finished.add(key);
          if (total) prog.bar.value = Math.min(total, finished.size);
          prog.text.textContent = "Step " + key + " " + (d.action || "") + ": " + (d.status || "") + " (" + finished.size + (total ? " of " + total : "") + " finished)";
        },
        done: (d) => {
          prog.bar.max = 1;
          prog.bar.value = 1;
          const ok = Number(d.exit_code) === 0;
          prog.text.textContent = "Apply finished: " + d.outcome + " (exit status " + d.exit_code + ").";
          document.getElementById("run-outcome").append(
            h("p", { class: ok ? "outcome ok" : "outcome bad", id: "outcome" }, h("span", { "aria-hidden": "true" }, ok ? "✔ " : "✘ "), "Outcome: ", h("strong", null, String(d.outcome)), ", exit status " + d.exit_code + "."),
            h("p", null, h("a", { href: "#/history", id: "see-history" }, "See it in the history"), " · ", h("a", { href: "#/overview" }, "Scan again"))
          );
          announce("Apply finished: " + d.outcome + ".");
        },
        notice: (d) => {
          notices.appendChild(h("li", null, d.message || ""));
        },
        error: (d) => {
          document.getElementById("run-outcome").appendChild(h("div", { class: "error", role: "alert" }, h("strong", null, "Apply stopped. "), d.message || ""));
        },
        transport: () => {
          prog.text.textContent = "Lost the connection to the run's events; the run goes on. See the history.";
        },
      }, ["done"]);
      CPW.cleanup = st.close;
    });
    page.appendChild(form);
    page.appendChild(runBox);
    page.appendChild(exportLinks("/api/plans", "plans"));
  }

  /* ---------------------------------------------------------------- history */
  async function history(page) {
    page.appendChild(h("h1", null, "History"));
    page.appendChild(h("p", { class: "lead" }, "Every change cpwarden made, from the journal (", h("code", null, "cpwarden history"), "), whichever started it: the console or the command line."));
    const d = await api("/api/history");
    const changes = d.changes || [];
    const cols = [
      { label: "When", render: (c) => h("time", null, c.when || "") },
      { label: "Run", render: (c) => String(c.run === undefined ? "" : c.run) },
      { label: "Who", render: (c) => h("span", { title: c.who || "" }, CPW.arnName(c.who)) },
      { label: "Plan", render: (c) => (c.plan && typeof c.plan === "object" ? h("code", { title: c.plan.checksum || "" }, (c.plan.path ? CPW.arnName(c.plan.path) + " " : "") + String(c.plan.checksum || "").slice(0, 8)) : CPW.scalar(c.plan)) },
      { label: "Step", render: (c) => c.step || "" },
      { label: "What", render: (c) => c.what || "" },
      { label: "Target", render: (c) => c.target || "" },
      { label: "Result", render: (c) => statusCell(c.result) },
      { label: "Detail", render: (c) => c.detail || "" },
    ];
    if (!changes.length) {
      page.appendChild(h("p", { class: "empty" }, "No change recorded yet."));
    } else {
      /* Filters: one run, or one result (failed and refused steps are what one looks for). */
      const runs = Array.from(new Set(changes.map((c) => String(c.run)))).sort((a, b) => Number(b) - Number(a));
      const results = Array.from(new Set(changes.map((c) => String(c.result || "")))).sort();
      const runSel = h("select", { id: "history-run" }, h("option", { value: "" }, "all runs (" + runs.length + ")"), runs.map((r) => h("option", { value: r }, "run " + r)));
      const resSel = h("select", { id: "history-result" }, h("option", { value: "" }, "any result"), results.map((r) => h("option", { value: r }, r)));
      const box = h("div", { "aria-live": "polite" });
      const draw = () => {
        const shown = changes.filter((c) => (!runSel.value || String(c.run) === runSel.value) && (!resSel.value || String(c.result || "") === resSel.value));
        CPW.fill(box, shown.length ? table(shown, cols, shown.length + " of " + changes.length + " changes") : h("p", { class: "empty" }, "No change matches."));
      };
      runSel.addEventListener("change", draw);
      resSel.addEventListener("change", draw);
      page.appendChild(h("div", { class: "toolbar", role: "group", "aria-label": "History filters" }, h("label", { for: "history-run" }, "Run"), runSel, h("label", { for: "history-result" }, "Result"), resSel));
      draw();
      page.appendChild(box);
    }
    page.appendChild(exportLinks("/api/history", "history"));
  }

  /* ---------------------------------------------------------------- snapshots */
  async function snapshots(page) {
    page.appendChild(h("h1", null, "Snapshots"));
    page.appendChild(h("p", { class: "lead" }, "Each scan is stored as a snapshot. Compare two to see what appeared, disappeared or changed."));
    const d = await api("/api/snapshots");
    const snaps = d.snapshots || [];
    page.appendChild(snaps.length ? table(snaps, null, "Stored snapshots") : h("p", { class: "empty" }, "No snapshot yet: every scan stores one."));
    page.appendChild(exportLinks("/api/snapshots", "snapshots"));
    if (snaps.length < 2) return;
    const opt = (sel) => snaps.map((s) => h("option", { value: s.id, selected: String(s.id) === String(sel) }, s.id + " (" + (s.scanned_at || "") + ")"));
    const ids = snaps.map((s) => s.id);
    const newest = ids.reduce((a, b) => (Number(b) > Number(a) ? b : a));
    const older = ids.filter((i) => i !== newest).reduce((a, b) => (Number(b) > Number(a) ? b : a));
    const from = h("select", { id: "diff-from" }, opt(older));
    const to = h("select", { id: "diff-to" }, opt(newest));
    const out = h("div", { id: "diff-result", "aria-live": "polite" });
    const form = h(
      "form",
      { "aria-labelledby": "diff-heading" },
      h("h2", { id: "diff-heading" }, "Compare two snapshots"),
      h("div", { class: "toolbar" }, h("label", { for: "diff-from" }, "From"), from, h("label", { for: "diff-to" }, "To"), to, h("button", { type: "submit", class: "primary", id: "diff-button" }, "Compare"))
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const path = withQuery("/api/snapshots/diff", { from: from.value, to: to.value });
      out.replaceChildren(h("p", { class: "loading" }, "Comparing…"));
      try {
        const diff = await api(path);
        const ch = diff.changes || [];
        CPW.fill(out,
          h("h3", null, ch.length + " change(s) from snapshot " + from.value + " to " + to.value),
          ch.length
            ? table(ch, [
                { label: "Change", render: (c) => h("span", { class: "change change-" + c.change }, c.change || "") },
                { label: "Type", render: (c) => c.type || "" },
                { label: "Resource", render: (c) => h("code", { title: c.arn || "" }, CPW.arnName(c.arn)) },
                { label: "Account", render: (c) => c.account || "" },
                { label: "Region", render: (c) => c.region || "global" },
                { label: "Kind / field", render: (c) => [c.kind, c.field].filter(Boolean).join(" ") },
                { label: "Before", render: (c) => CPW.scalar(c.before) },
                { label: "After", render: (c) => CPW.scalar(c.after) },
              ], "Differences")
            : h("p", { class: "empty" }, "No difference."),
          exportLinks(path, "this comparison")
        );
      } catch (e) {
        out.replaceChildren(errorBox(e));
      }
    });
    page.appendChild(form);
    page.appendChild(out);
  }

  /* ---------------------------------------------------------------- audit */
  function renderAudit(box, rep) {
    const sum = rep.summary || {};
    CPW.fill(box,
      h("p", null, "Ran at ", h("time", null, rep.ran_at || "?"), ", rules: " + (rep.rules_source || "?") + ". ", h("strong", null, String(sum.violations === undefined ? "?" : sum.violations) + " violation(s)"), "."),
      sum.by_severity ? h("section", { "aria-label": "Violations by severity" }, h("h2", null, "By severity"), renderValue(sum.by_severity)) : null,
      section(
        "Rules",
        table(rep.rules || [], [
          { label: "Rule", render: (r) => r.id },
          { label: "Severity", render: (r) => r.severity },
          { label: "Status", render: (r) => (r.status === "evaluated" ? "evaluated" : r.status + (r.reason ? ": " + r.reason : "")) },
          { label: "Violations", render: (r) => h("span", { class: r.violations ? "count warn" : "count" }, String(r.violations || 0)) },
          { label: "Description", render: (r) => r.description || "" },
        ], "Rules")
      ),
      section("Results", Array.isArray(rep.results) && rep.results.length ? table(rep.results) : h("p", { class: "empty" }, "No violation."))
    );
  }

  async function audit(page) {
    page.appendChild(h("h1", null, "Audit"));
    page.appendChild(h("p", { class: "lead" }, "The latest stored audit report (", h("code", null, "cpwarden audit"), "): the built-in or configured rules and what violates them."));
    const box = h("div", { id: "audit-report" });
    const btn = h("button", { type: "button", class: "primary", id: "run-audit" }, "Run an audit now");
    const prog = progressBlock("Audit");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      msg.replaceChildren();
      prog.el.hidden = false;
      prog.text.textContent = "Auditing: scanning and evaluating the rules…";
      try {
        renderAudit(box, await api("/api/audit", { method: "POST", body: {} }));
        prog.text.textContent = "Audit finished.";
        announce("Audit finished.");
      } catch (e) {
        prog.text.textContent = "";
        msg.replaceChildren(errorBox(e)); /* the stored report stays shown */
      } finally {
        btn.disabled = false;
        prog.el.hidden = true;
      }
    });
    const msg = h("div", { id: "audit-message" });
    page.appendChild(h("div", { class: "toolbar" }, btn, prog.el));
    page.appendChild(msg);
    page.appendChild(box);
    try {
      renderAudit(box, await api("/api/audit"));
    } catch (e) {
      if (isNotFound(e)) box.appendChild(h("p", { class: "empty" }, "No audit yet."));
      else box.appendChild(errorBox(e));
    }
    page.appendChild(exportLinks("/api/audit", "audit"));
  }

  /* ---------------------------------------------------------------- doctor */
  function renderDoctor(box, rep) {
    const checks = Array.isArray(rep.checks) ? rep.checks : [];
    const problems = checks.filter((c) => c.status !== "ok" && c.status !== "info").length;
    CPW.fill(box,
      h("p", { id: "doctor-summary" }, "Worst status: ", h("strong", null, rep.status || "?"), ", " + problems + " problem(s) in " + checks.length + " check(s)."),
      section(
        "Checks",
        table(checks, [
          { label: "Status", render: (c) => h("span", { class: c.status === "ok" || c.status === "info" ? "count" : "count warn" }, c.status || "?") },
          { label: "Account", render: (c) => c.account || "" },
          { label: "Check", render: (c) => c.check || "" },
          { label: "Subject", render: (c) => c.subject || "" },
          { label: "Detail", render: (c) => c.detail || "" },
          { label: "Fix", render: (c) => (c.fix ? h("pre", null, c.fix) : "") },
        ], "Doctor checks")
      )
    );
  }

  async function doctor(page) {
    page.appendChild(h("h1", null, "Doctor"));
    page.appendChild(h("p", { class: "lead" }, "Why a step would fail, before it does (", h("code", null, "cpwarden doctor"), "): the credentials, the identity, the regions, every action each command needs, pending role deletions and recent DeleteDomain failures, each problem with its fix."));
    const box = h("div", { id: "doctor-report" });
    const btn = h("button", { type: "button", class: "primary", id: "run-doctor" }, "Run the checks");
    const prog = progressBlock("Doctor");
    const msg = h("div", { id: "doctor-message" });
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      msg.replaceChildren();
      prog.el.hidden = false;
      prog.text.textContent = "Checking: simulating every action each command needs…";
      try {
        renderDoctor(box, await api("/api/doctor"));
        prog.text.textContent = "Checks finished.";
        announce("Doctor checks finished.");
      } catch (e) {
        prog.text.textContent = "";
        msg.replaceChildren(errorBox(e));
      } finally {
        btn.disabled = false;
        prog.el.hidden = true;
      }
    });
    page.appendChild(h("div", { class: "toolbar" }, btn, prog.el));
    page.appendChild(msg);
    page.appendChild(box);
    page.appendChild(exportLinks("/api/doctor", "doctor"));
  }

  async function notfound(page) {
    page.appendChild(h("h1", null, "Page not found"));
    page.appendChild(h("p", null, "There is no such view. ", h("a", { href: "#/overview" }, "Go to the overview"), "."));
  }

  CPW.views = { overview, graph, finding, domain, plan, apply, history, snapshots, audit, doctor, notfound };
})();
