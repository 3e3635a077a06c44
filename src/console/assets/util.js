/* util.js: DOM building, the JSON API client, export links, generic renderers and a small
 * Markdown renderer. No innerHTML anywhere: every piece of text reaches the page as a text node,
 * so nothing the API returns can become markup. Loaded first; defines window.CPW. */
"use strict";

(function () {
  const CPW = (window.CPW = window.CPW || {});

  /* h(tag, attrs, ...children): an element. attrs: plain attributes, "class", "on*" listeners,
   * "dataset" object; children: strings (text nodes), nodes, arrays, null/false (skipped). */
  function h(tag, attrs, ...children) {
    const svg = tag.startsWith("svg:");
    const el = svg
      ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
      : document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k.startsWith("on") && typeof v === "function") {
          el.addEventListener(k.slice(2), v);
        } else if (k === "dataset") {
          Object.assign(el.dataset, v);
        } else if (v === true) {
          el.setAttribute(k, "");
        } else {
          el.setAttribute(k, String(v));
        }
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else if (c instanceof Node) el.appendChild(c);
      else el.appendChild(document.createTextNode(String(c)));
    }
  }

  /* fill(el, ...children): replaces el's children (arrays flattened, null/false skipped). */
  function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || code || "HTTP " + status);
      this.status = status;
      this.code = code || "";
    }
  }

  /* api(path, {method, body}): the parsed JSON answer, or throws ApiError. Every request other
   * than GET carries the session's CSRF token (contract: X-CSRF-Token). */
  async function api(path, opts) {
    const o = opts || {};
    const method = o.method || "GET";
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = CPW.csrf || "";
      headers["Content-Type"] = "application/json";
    }
    let resp;
    try {
      resp = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        cache: "no-store",
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
    } catch (e) {
      throw new ApiError(0, "NetworkError", "the console server does not answer (" + e.message + ")");
    }
    const text = await resp.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (!resp.ok) {
      const err = data && data.error ? data.error : {};
      throw new ApiError(resp.status, err.code, err.message || resp.statusText);
    }
    return data;
  }

  /* withQuery(path, params): path with ?a=b&... appended (values URI-encoded). */
  function withQuery(path, params) {
    const q = Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v))
      .join("&");
    if (!q) return path;
    return path + (path.includes("?") ? "&" : "?") + q;
  }

  /* exportLinks(path, what, extra): the JSON/CSV/Markdown download links of an API answer,
   * plus extra nodes (the graph's SVG and DOT). */
  function exportLinks(path, what, extra) {
    const items = [
      ["json", "JSON"],
      ["csv", "CSV"],
      ["md", "Markdown"],
    ].map(([fmt, label]) =>
      h("li", null, h("a", { href: withQuery(path, { format: fmt }), download: "", class: "export" }, label))
    );
    for (const node of extra || []) items.push(h("li", null, node));
    return h("nav", { class: "exports", "aria-label": "Export " + what }, h("span", { class: "exports-label" }, "Export " + what + ":"), h("ul", null, items));
  }

  function announce(text) {
    const el = document.getElementById("announcer");
    if (!el) return;
    el.textContent = "";
    /* A fresh text node after clearing makes screen readers read repeated messages too. */
    window.setTimeout(() => {
      el.textContent = text;
    }, 30);
  }

  function scalar(v) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function humanKey(k) {
    return String(k)
      .split(/[_-]+/)
      .map((w, i) => (["arn", "id", "url", "uri", "kms", "sha256"].includes(w) ? w.toUpperCase() : i ? w : w.charAt(0).toUpperCase() + w.slice(1)))
      .join(" ");
  }

  /* table(rows, columns, caption): columns is [{key, label, render(row) -> node|string}]; when
   * omitted, the union of the rows' keys in first-seen order. */
  function table(rows, columns, caption) {
    let cols = columns;
    if (!cols) {
      const seen = [];
      for (const r of rows) {
        if (r && typeof r === "object") for (const k of Object.keys(r)) if (!seen.includes(k)) seen.push(k);
      }
      cols = seen.map((k) => ({ key: k, label: humanKey(k) }));
      if (!seen.length) cols = [{ key: null, label: "Value" }];
    }
    return h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        null,
        caption ? h("caption", null, caption) : null,
        h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, c.label)))),
        h(
          "tbody",
          null,
          rows.map((r) =>
            h(
              "tr",
              null,
              cols.map((c) => {
                let v;
                if (c.render) v = c.render(r);
                else if (c.key === null) v = scalar(r);
                else v = renderValue(r ? r[c.key] : null, true);
                return h("td", null, v);
              })
            )
          )
        )
      )
    );
  }

  /* renderValue(v): any JSON value as a definition list, list or table. */
  function renderValue(v, compact) {
    if (v === null || v === undefined || typeof v !== "object") return scalar(v);
    if (Array.isArray(v)) {
      if (!v.length) return h("span", { class: "muted" }, "none");
      if (v.every((x) => x === null || typeof x !== "object")) {
        if (compact) return v.map(scalar).join(", ");
        return h("ul", null, v.map((x) => h("li", null, scalar(x))));
      }
      if (compact) return JSON.stringify(v);
      return table(v);
    }
    const keys = Object.keys(v);
    if (!keys.length) return h("span", { class: "muted" }, "none");
    if (compact) return keys.map((k) => k + ": " + scalar(v[k])).join("; ");
    return h(
      "dl",
      { class: "kv" },
      keys.map((k) => [h("dt", null, humanKey(k)), h("dd", null, renderValue(v[k], false))])
    );
  }

  /* Markdown, a safe subset: headings, paragraphs, bullet/numbered lists, pipe tables, fenced
   * code, `code` and **bold**. Everything else stays literal text. */
  function inline(text) {
    const out = [];
    const re = /(`[^`]+`|\*\*[^*]+\*\*)/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      const tok = m[0];
      if (tok.startsWith("`")) out.push(h("code", null, tok.slice(1, -1)));
      else out.push(h("strong", null, tok.slice(2, -2)));
      last = m.index + tok.length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function cells(line) {
    let s = line.trim();
    if (s.startsWith("|")) s = s.slice(1);
    if (s.endsWith("|")) s = s.slice(0, -1);
    return s.split("|").map((c) => c.trim());
  }

  function markdown(src, headingBase) {
    const base = headingBase || 3;
    const root = h("div", { class: "markdown" });
    const lines = String(src || "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    const max = lines.length;
    while (i < max) {
      const line = lines[i];
      if (!line.trim()) {
        i++;
        continue;
      }
      let m;
      if (line.startsWith("```")) {
        const code = [];
        i++;
        while (i < max && !lines[i].startsWith("```")) code.push(lines[i++]);
        i++;
        root.appendChild(h("pre", null, h("code", null, code.join("\n"))));
      } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        const level = Math.min(6, base + m[1].length - 1);
        root.appendChild(h("h" + level, null, inline(m[2])));
        i++;
      } else if (/^\s*\|/.test(line) && i + 1 < max && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
        const head = cells(line);
        i += 2;
        const body = [];
        while (i < max && /^\s*\|/.test(lines[i])) body.push(cells(lines[i++]));
        root.appendChild(
          h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              null,
              h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, inline(c))))),
              h("tbody", null, body.map((r) => h("tr", null, r.map((c) => h("td", null, inline(c))))))
            )
          )
        );
      } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
        const ordered = /^\s*\d+\./.test(line);
        const list = h(ordered ? "ol" : "ul");
        while (i < max && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) {
          let item = lines[i].replace(/^\s*([-*]|\d+\.)\s+/, "");
          let box = null;
          const cb = /^\[([ xX])\]\s*(.*)$/.exec(item);
          if (cb) {
            box = cb[1] === " " ? "☐ " : "☑ ";
            item = cb[2];
          }
          list.appendChild(h("li", null, box, inline(item)));
          i++;
        }
        root.appendChild(list);
      } else {
        const para = [];
        while (
          i < max &&
          lines[i].trim() &&
          !/^(#{1,6}\s|```|\s*([-*]|\d+\.)\s+|\s*\|)/.test(lines[i])
        )
          para.push(lines[i++].trim());
        if (!para.length) para.push(lines[i++].trim());
        root.appendChild(h("p", null, inline(para.join(" "))));
      }
    }
    return root;
  }

  /* stream(url, handlers, ends): an EventSource whose named events go to handlers[name](data);
   * closed after any event named in ends (default "done" and "error": the server ends the stream
   * there) and on a transport error, so it never reconnects and replays an operation's stream. */
  function stream(url, handlers, ends) {
    const last = ends || ["done", "error"];
    const es = new EventSource(url);
    let finished = false;
    const finish = () => {
      finished = true;
      es.close();
    };
    for (const name of Object.keys(handlers)) {
      if (name === "transport") continue;
      es.addEventListener(name, (ev) => {
        let data = {};
        try {
          data = JSON.parse(ev.data);
        } catch (e) {
          data = { message: ev.data };
        }
        if (last.includes(name)) finish();
        handlers[name](data);
      });
    }
    es.onerror = () => {
      if (finished) return;
      finish();
      if (handlers.transport) handlers.transport();
    };
    return { close: finish };
  }

  function badge(text, cls) {
    return h("span", { class: "badge " + (cls || "") }, text);
  }

  function confidenceBadge(conf) {
    const c = conf || "unknown";
    return badge(c, "conf conf-" + c);
  }

  function errorBox(err) {
    const msg = err instanceof ApiError ? (err.code ? err.code + ": " : "") + err.message : String(err);
    return h("div", { class: "error", role: "alert" }, h("strong", null, "Error. "), msg);
  }

  /* Basename of an ARN's resource part: roles and domains read better by their names. */
  function arnName(arn) {
    if (!arn) return "";
    const s = String(arn);
    const slash = s.lastIndexOf("/");
    return slash >= 0 ? s.slice(slash + 1) : s;
  }

  Object.assign(CPW, {
    h,
    append,
    fill,
    api,
    ApiError,
    withQuery,
    exportLinks,
    announce,
    table,
    renderValue,
    markdown,
    stream,
    badge,
    confidenceBadge,
    errorBox,
    scalar,
    humanKey,
    arnName,
    selection: new Set(),
  });
})();
