/* graph.js: the instances -> domains -> service-linked roles graph as inline SVG.
 *
 * Layout (layered, three columns): nodes are grouped by account, then by region; instances and
 * domains of one region share a band, domains ordered by name and instances by the mean row of
 * the domains they use (fewer crossings); an account's roles (IAM is global) follow the mean
 * height of their neighbours, stacked without overlap. Colours and patterns are SVG
 * presentation attributes (not CSS), so the serialized SVG looks the same outside the page;
 * focus styles come from console.css. Leftovers are marked four ways: a hatch pattern, a dashed
 * outline, a colour per confidence and the text "LEFTOVER: kind, confidence". */
"use strict";

(function () {
  const CPW = window.CPW;
  const h = CPW.h;

  const COL_W = 280; /* instance and domain columns */
  const ROLE_W = 400; /* role names run to 64 characters */
  const NODE_H = 56;
  const ROW = 70;
  const GAP = 80;
  const PAD = 16;
  const TOP = 40;
  const COLS = { instance: 0, domain: 1, role: 2 };
  const COL_TITLES = ["Connect instances", "Customer Profiles domains", "Service-linked roles"];
  const CONF = {
    certain: { stroke: "#a1221b", tint: "#fbe3e1", word: "certain" },
    likely: { stroke: "#a04a00", tint: "#fdebd7", word: "likely" },
    possible: { stroke: "#6d5a00", tint: "#fbf3c8", word: "possible" },
    unknown: { stroke: "#5b2a86", tint: "#efe3fa", word: "unrated" },
  };
  const LIVE = { stroke: "#1f5f99", fill: "#eaf2fb" };
  const KIND_WORD = { instance: "INSTANCE", domain: "DOMAIN", role: "ROLE" };

  function colX(kind) {
    return PAD * 2 + (COLS[kind] !== undefined ? COLS[kind] : 2) * (COL_W + GAP);
  }

  function truncate(s, n) {
    const t = String(s || "");
    return t.length > n ? t.slice(0, n - 1) + "…" : t;
  }

  /* layout(graph) -> {nodes: [{...node, x, y}], bands: [...], width, height} */
  function layout(graph) {
    const nodes = (graph.nodes || []).map((n) => Object.assign({}, n));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const adj = new Map(nodes.map((n) => [n.id, []]));
    for (const e of graph.edges || []) {
      if (!byId.has(e.from) || !byId.has(e.to)) continue;
      adj.get(e.from).push(e.to);
      adj.get(e.to).push(e.from);
    }
    const accounts = Array.from(new Set(nodes.map((n) => n.account || ""))).sort();
    const bands = [];
    let y = TOP;
    for (const account of accounts) {
      const top = y;
      y += 30; /* account title */
      const inAcct = nodes.filter((n) => (n.account || "") === account);
      const regional = inAcct.filter((n) => n.kind !== "role");
      const regions = Array.from(new Set(regional.map((n) => n.region || ""))).sort();
      for (const region of regions) {
        const rtop = y;
        y += 22; /* region title */
        const doms = regional
          .filter((n) => (n.region || "") === region && n.kind === "domain")
          .sort((a, b) => String(a.label).localeCompare(String(b.label)));
        doms.forEach((d, i) => {
          d.row = i;
        });
        const insts = regional.filter((n) => (n.region || "") === region && n.kind !== "domain");
        for (const n of insts) {
          const rows = adj
            .get(n.id)
            .map((id) => byId.get(id))
            .filter((m) => m.kind === "domain" && m.row !== undefined && (m.region || "") === region)
            .map((m) => m.row);
          n.bary = rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 1e9;
        }
        insts.sort((a, b) => a.bary - b.bary || String(a.label).localeCompare(String(b.label)));
        doms.forEach((d, i) => {
          d.x = colX("domain");
          d.y = y + i * ROW;
        });
        insts.forEach((n, i) => {
          n.x = colX(n.kind);
          n.y = y + i * ROW;
        });
        y += Math.max(doms.length, insts.length, 1) * ROW;
        bands.push({ kind: "region", account, region, top: rtop, bottom: y - (ROW - NODE_H) + 6 });
        y += 8;
      }
      /* Roles: ordered by the mean height of their neighbours, stacked from the account top. */
      const roles = inAcct.filter((n) => n.kind === "role");
      for (const r of roles) {
        const ys = adj
          .get(r.id)
          .map((id) => byId.get(id))
          .filter((m) => m.y !== undefined)
          .map((m) => m.y);
        r.want = ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 1e9;
      }
      roles.sort((a, b) => a.want - b.want || String(a.label).localeCompare(String(b.label)));
      let ry = top + 52;
      for (const r of roles) {
        const want = r.want < 1e8 ? r.want : ry;
        r.x = colX("role");
        r.y = Math.max(ry, want);
        ry = r.y + ROW;
      }
      y = Math.max(y, ry);
      bands.push({ kind: "account", account, top, bottom: y });
      y += 24;
    }
    const width = PAD * 4 + 2 * COL_W + ROLE_W + 2 * GAP;
    return { nodes, byId, adj, bands, width, height: Math.max(y, TOP + 60) };
  }

  const ARROWS = { ArrowUp: 1, ArrowDown: 1, ArrowLeft: 1, ArrowRight: 1 };

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }

  /* The node an arrow key moves to from n: Up/Down the previous/next node of the same column;
   * Left/Right a linked node in the neighbouring column, else the one nearest in height. */
  function neighbour(L, n, key) {
    const col = (m) => (COLS[m.kind] !== undefined ? COLS[m.kind] : 2);
    const placed = L.nodes.filter((m) => m.x !== undefined);
    if (key === "ArrowUp" || key === "ArrowDown") {
      const same = placed.filter((m) => col(m) === col(n)).sort((a, b) => a.y - b.y);
      const i = same.indexOf(same.find((m) => m.id === n.id));
      return same[key === "ArrowUp" ? i - 1 : i + 1] || null;
    }
    const want = col(n) + (key === "ArrowRight" ? 1 : -1);
    const cands = placed.filter((m) => col(m) === want);
    if (!cands.length) return null;
    const linked = cands.filter((m) => (L.adj.get(n.id) || []).includes(m.id));
    const pool = linked.length ? linked : cands;
    return pool.reduce((best, m) => (Math.abs(m.y - n.y) < Math.abs(best.y - n.y) ? m : best));
  }

  function describe(n, finding) {
    const where = n.kind === "role" ? "account " + n.account : (n.region || "no region") + ", account " + n.account;
    let s = KIND_WORD[n.kind] ? n.kind : "resource";
    s = s.charAt(0).toUpperCase() + s.slice(1) + " " + n.label + " (" + where + ")";
    if (n.leftover) {
      s += ": leftover";
      if (finding) s += ", " + finding.kind + ", " + finding.confidence;
      s += n.finding_id ? ". Enter opens its finding." : ".";
    } else {
      s += ": in use";
      s += n.kind === "domain" ? ". Enter opens the domain." : ".";
    }
    return s;
  }

  /* render(graph, findingsById, onActivate) -> <svg>. onActivate(node) runs on click, Enter
   * and Space. */
  function render(graph, findingsById, onActivate) {
    const L = layout(graph);
    const svg = h("svg:svg", {
      xmlns: "http://www.w3.org/2000/svg",
      viewBox: "0 0 " + L.width + " " + L.height,
      width: L.width,
      height: L.height,
      class: "graph",
      role: "group",
      "aria-labelledby": "graph-title",
      "font-family": "DejaVu Sans, Verdana, Arial, sans-serif",
    });
    svg.appendChild(h("svg:title", { id: "graph-title" }, "Connect instances, Customer Profiles domains and service-linked roles"));
    const defs = h("svg:defs");
    for (const [name, c] of Object.entries(CONF)) {
      defs.appendChild(
        h(
          "svg:pattern",
          { id: "hatch-" + name, width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
          h("svg:rect", { width: 8, height: 8, fill: c.tint }),
          h("svg:line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: c.stroke, "stroke-width": 1.5, "stroke-opacity": 0.35 })
        )
      );
    }
    defs.appendChild(
      h(
        "svg:marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        h("svg:path", { d: "M0,0 L10,5 L0,10 z", fill: "#555" })
      )
    );
    svg.appendChild(defs);
    svg.appendChild(h("svg:rect", { x: 0, y: 0, width: L.width, height: L.height, fill: "#ffffff" }));

    COL_TITLES.forEach((t, i) => {
      svg.appendChild(
        h("svg:text", { x: PAD * 2 + i * (COL_W + GAP), y: 24, "font-size": 15, "font-weight": "bold", fill: "#222" }, t)
      );
    });
    for (const b of L.bands) {
      if (b.kind === "account") {
        svg.appendChild(
          h("svg:rect", {
            x: PAD / 2,
            y: b.top,
            width: L.width - PAD,
            height: b.bottom - b.top + 10,
            rx: 8,
            fill: "#f6f7f9",
            stroke: "#c9ced6",
          })
        );
        svg.appendChild(
          h("svg:text", { x: PAD, y: b.top + 20, "font-size": 13, "font-weight": "bold", fill: "#333" }, "Account " + b.account)
        );
      }
    }
    for (const b of L.bands) {
      if (b.kind === "region") {
        svg.appendChild(
          h("svg:rect", {
            x: PAD * 1.5,
            y: b.top,
            width: 2 * COL_W + GAP + PAD,
            height: b.bottom - b.top,
            rx: 6,
            fill: "#ffffff",
            stroke: "#d8dde4",
            "stroke-dasharray": "2 2",
          })
        );
        svg.appendChild(h("svg:text", { x: PAD * 2, y: b.top + 16, "font-size": 12, fill: "#444" }, "Region " + (b.region || "(none)")));
      }
    }

    const edges = h("svg:g", { class: "edges", "aria-hidden": "true" });
    for (const e of graph.edges || []) {
      let a = L.byId.get(e.from);
      let b = L.byId.get(e.to);
      if (!a || !b || a.x === undefined || b.x === undefined) continue;
      if (a.x > b.x) [a, b] = [b, a];
      const x1 = a.x + (a.kind === "role" ? ROLE_W : COL_W);
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const dx = Math.max(40, (x2 - x1) / 2);
      const stale = a.leftover || b.leftover;
      let d = "M" + x1 + "," + y1 + " C" + (x1 + dx) + "," + y1 + " " + (x2 - dx) + "," + y2 + " " + x2 + "," + y2;
      if (x2 - x1 > GAP + COL_W) {
        /* Across the middle column: run in the gap above the source's row, not behind a node. */
        const yg = a.y - (ROW - NODE_H) / 2;
        const m1 = x1 + GAP / 2;
        const m2 = x2 - GAP / 2;
        d = "M" + x1 + "," + y1 + " C" + (x1 + 30) + "," + y1 + " " + (m1 - 30) + "," + yg + " " + m1 + "," + yg +
          " L" + m2 + "," + yg + " C" + (m2 + 30) + "," + yg + " " + (x2 - 30) + "," + y2 + " " + x2 + "," + y2;
      }
      edges.appendChild(
        h(
          "svg:path",
          {
            d,
            fill: "none",
            stroke: stale ? "#8a3b36" : "#5a6675",
            "stroke-width": 1.6,
            "stroke-dasharray": stale ? "6 4" : null,
            "marker-end": "url(#arrow)",
            class: "edge",
            "data-from": e.from,
            "data-to": e.to,
          },
          h("svg:title", null, (e.relation || "uses") + ": " + a.label + " → " + b.label)
        )
      );
    }
    svg.appendChild(edges);

    const order = L.nodes.filter((n) => n.x !== undefined).sort((a, b) => a.y - b.y || a.x - b.x);
    for (const n of order) {
      let f = n.finding_id ? findingsById.get(String(n.finding_id)) : null;
      if (!f && n.leftover && n.finding_kind) f = { kind: n.finding_kind, confidence: n.confidence };
      const conf = n.leftover ? (f && CONF[f.confidence] ? f.confidence : "unknown") : null;
      const c = conf ? CONF[conf] : null;
      const label = describe(n, f);
      const g = h("svg:g", {
        class: "node node-" + n.kind + (n.leftover ? " leftover leftover-" + conf : " live"),
        tabindex: 0,
        role: "button",
        "aria-label": label,
        "data-id": n.id,
        "data-kind": n.kind,
        "data-leftover": n.leftover ? "true" : "false",
        "data-finding": n.finding_id || null,
        transform: "translate(" + n.x + "," + n.y + ")",
        onclick: () => onActivate(n),
        onkeydown: (ev) => {
          if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            onActivate(n);
          } else if (ARROWS[ev.key]) {
            const next = neighbour(L, n, ev.key);
            const el = next ? svg.querySelector('g.node[data-id="' + cssEscape(next.id) + '"]') : null;
            if (el) {
              ev.preventDefault();
              el.focus();
            }
          }
        },
      });
      g.appendChild(h("svg:title", null, label));
      g.appendChild(
        h("svg:rect", {
          class: "node-box",
          width: n.kind === "role" ? ROLE_W : COL_W,
          height: NODE_H,
          rx: 7,
          fill: c ? "url(#hatch-" + conf + ")" : LIVE.fill,
          stroke: c ? c.stroke : LIVE.stroke,
          "stroke-width": c ? 2.5 : 1.5,
          "stroke-dasharray": c ? "7 3" : null,
        })
      );
      g.appendChild(
        h("svg:text", { x: 10, y: 15, "font-size": 10, "font-weight": "bold", fill: c ? c.stroke : LIVE.stroke, "letter-spacing": 0.5 },
          (KIND_WORD[n.kind] || String(n.kind).toUpperCase()) + (n.kind === "role" ? "" : " · " + (n.region || "")) + (n.leftover ? " · LEFTOVER" : ""))
      );
      g.appendChild(
        h("svg:text", { x: 10, y: 32, "font-size": 13, fill: "#111", class: "node-label", "data-max": (n.kind === "role" ? ROLE_W : COL_W) - 16 },
          truncate(n.label, n.kind === "role" ? 60 : 40))
      );
      if (n.leftover) {
        g.appendChild(
          h("svg:text", { x: 10, y: 48, "font-size": 11, "font-weight": "bold", fill: c.stroke, class: "node-flag" },
            "⚠ " + truncate(f ? f.kind : "leftover", 28) + " · " + c.word)
        );
      } else {
        g.appendChild(h("svg:text", { x: 10, y: 48, "font-size": 11, fill: "#3d4a57" }, "✓ in use"));
      }
      svg.appendChild(g);
    }
    return svg;
  }

  /* fit(svg): once svg is in the document, squeezes each node label that is wider than its
   * box (font metrics are only known then) so that no text runs out of its node. */
  function fit(svg) {
    for (const t of svg.querySelectorAll("text.node-label")) {
      const max = Number(t.getAttribute("data-max"));
      let w = 0;
      try {
        w = t.getComputedTextLength();
      } catch (e) {
        w = 0;
      }
      if (max > 0 && w > max) {
        t.setAttribute("textLength", String(max));
        t.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  /* serialize(svg): the live SVG as a standalone document (no focus or page styles). */
  function serialize(svg) {
    const copy = svg.cloneNode(true);
    copy.removeAttribute("class");
    for (const g of copy.querySelectorAll("[tabindex]")) g.removeAttribute("tabindex");
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy) + "\n";
  }

  CPW.graph = { layout, render, fit, serialize, CONF };
})();
