/* 事例一覧's case explorer (handbook_search.site.explorer): facets with counts, sort, results as
 * a table (desktop) or cards (phone, by CSS), the state in the URL (?prefecture=熊本県&theme=5),
 * and the tile map's links filtering in place. Data: window.HANDBOOK_CASES
 * (_static/handbook-cases.js). No network, no inline script: works from file://. */
(function () {
  "use strict";
  const FACETS = [
    // [URL key, legend, value of a case (one or many)]
    ["prefecture", "都道府県", (c) => [c.prefecture]],
    ["year", "年度", (c) => [String(c.year)]],
    ["theme", "テーマ", (c) => c.themes.map(String)],
    ["type", "支援の型", (c) => [c.type]],
    ["size", "人口規模", (c) => [String(c.size)]],
  ];
  const SORTS = [
    ["year", "年度の新しい順"],
    ["population-desc", "人口の多い順"],
    ["population-asc", "人口の少ない順"],
  ];
  const PAGE = 100; // rows drawn at once; 「さらに表示」 adds more

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function stateFromUrl() {
    const params = new URLSearchParams(location.search);
    const state = { sort: params.get("sort") || "year", shown: PAGE };
    for (const [key] of FACETS) state[key] = new Set(params.getAll(key));
    if (!SORTS.some(([v]) => v === state.sort)) state.sort = "year";
    return state;
  }

  function urlOf(state) {
    const params = new URLSearchParams();
    for (const [key] of FACETS) for (const v of state[key]) params.append(key, v);
    if (state.sort !== "year") params.set("sort", state.sort);
    const q = params.toString();
    return location.pathname + (q ? "?" + q : "") + location.hash;
  }

  function matches(c, state, skip) {
    return FACETS.every(([key, , of]) => key === skip || !state[key].size || of(c).some((v) => state[key].has(v)));
  }

  function counts(data, state, key, of) {
    const n = new Map();
    for (const c of data.cases) if (matches(c, state, key)) for (const v of of(c)) n.set(v, (n.get(v) || 0) + 1);
    return n;
  }

  function labelOf(data, key, value) {
    if (key === "year") {
      const c = data.cases.find((x) => String(x.year) === value);
      return c ? `${c.wareki}（${value}）` : value;
    }
    if (key === "theme") return `${value} ${data.themes[value] || ""}`;
    if (key === "size") return data.sizes[Number(value)] || value;
    return value;
  }

  function valuesOf(data, key, of) {
    const seen = new Set();
    for (const c of data.cases) for (const v of of(c)) seen.add(v);
    const values = [...seen];
    if (key === "year") values.sort((a, b) => b - a);
    else if (key === "theme" || key === "size") values.sort((a, b) => a - b);
    else values.sort();
    return values;
  }

  function chip(key, value, label, count, checked) {
    const input = el("input", { type: "checkbox", name: key, value });
    input.checked = checked;
    return el("label", { class: "hx-chip" + (count ? "" : " hx-zero") }, input,
      el("span", { text: label }), el("span", { class: "hx-count", text: String(count) }));
  }

  // drawFacets builds the controls anew: the one a reader just used gets the focus back, so
  // that a keyboard user stays where they were (WCAG 2.4.3)
  function refocus(root, used) {
    let css = `[name="${CSS.escape(used.name)}"]`;
    if (used.type === "checkbox") css += `[value="${CSS.escape(used.value)}"]`;
    const again = root.querySelector(".hx-facets " + css);
    if (again) again.focus();
  }

  function drawFacets(root, data, state) {
    const form = root.querySelector(".hx-facets");
    form.replaceChildren();
    for (const [key, legend, of] of FACETS) {
      const n = counts(data, state, key, of);
      const box = el("fieldset", { class: `hx-facet hx-facet-${key}` }, el("legend", { text: legend }));
      if (key === "prefecture") {
        for (const [bureau, prefectures] of data.bureaus) {
          const group = el("div", { class: "hx-group" }, el("span", { class: "hx-group-name", text: bureau }));
          for (const p of prefectures) group.append(chip(key, p, p, n.get(p) || 0, state[key].has(p)));
          box.append(group);
        }
      } else {
        for (const v of valuesOf(data, key, of)) box.append(chip(key, v, labelOf(data, key, v), n.get(v) || 0, state[key].has(v)));
      }
      form.append(box);
    }
    const select = el("select", { name: "sort", "aria-label": "並べ替え" });
    for (const [v, label] of SORTS) {
      const o = el("option", { value: v, text: label });
      o.selected = v === state.sort;
      select.append(o);
    }
    const clear = el("button", { type: "button", class: "hx-clear", text: "条件をすべて外す" });
    form.append(el("div", { class: "hx-tools" }, el("label", { class: "hx-sort" }, "並べ替え ", select), clear));
  }

  function sorted(cases, sort) {
    const out = [...cases];
    const pop = (c) => (c.population == null ? -1 : c.population);
    if (sort === "population-desc") out.sort((a, b) => pop(b) - pop(a));
    else if (sort === "population-asc") out.sort((a, b) => (pop(a) < 0) - (pop(b) < 0) || pop(a) - pop(b));
    return out; // "year": the data's own order (newest first, north to south)
  }

  function drawResults(root, data, state) {
    const root_ = document.documentElement.dataset.content_root || "";
    const found = sorted(data.cases.filter((c) => matches(c, state, null)), state.sort);
    const chosen = FACETS.flatMap(([key]) => [...state[key]].map((v) => labelOf(data, key, v)));
    root.querySelector(".hx-status").textContent =
      `${found.length} 件の事例` + (chosen.length ? `（${chosen.join("、")}）` : "（すべて）");
    const body = el("tbody");
    for (const c of found.slice(0, state.shown)) {
      const themes = c.themes.map((n) => `${n} ${data.themes[n]}`).join("、");
      // 人口 and 高齢化率, each with the date the source gives for it (as on the case page)
      const figures = el("td", { "data-label": "人口・高齢化率", class: "hx-num" });
      if (c.population == null && c.aging_rate == null) figures.append("記載なし");
      if (c.population != null) {
        figures.append(el("span", { class: "hx-figure", text: `${c.population.toLocaleString("ja-JP")}人` }),
          el("span", { class: "hx-as-of", text: c.population_as_of }));
      }
      if (c.aging_rate != null) {
        figures.append(el("span", { class: "hx-figure", text: `高齢化率 ${c.aging_rate}%` }),
          el("span", { class: "hx-as-of", text: c.aging_rate_as_of }));
      }
      body.append(el("tr", { "data-prefecture": c.prefecture },
        el("td", { "data-label": "自治体", class: "hx-name" }, el("a", { href: root_ + c.url, text: c.municipality })),
        el("td", { "data-label": "都道府県", text: c.prefecture }),
        el("td", { "data-label": "年度", text: c.wareki }),
        el("td", { "data-label": "テーマ", text: themes }),
        el("td", { "data-label": "支援の型", text: c.type }),
        figures,
        el("td", { "data-label": "概要", class: "hx-summary", text: c.summary })));
    }
    const head = el("tr");
    for (const h of ["自治体", "都道府県", "年度", "テーマ", "支援の型", "人口・高齢化率", "概要"]) head.append(el("th", { scope: "col", text: h }));
    const table = el("table", { class: "hx-table" }, el("thead", {}, head), body);
    const more = found.length > state.shown
      ? el("button", { type: "button", class: "hx-more", text: `さらに表示（残り ${found.length - state.shown} 件）` })
      : null;
    root.querySelector(".hx-results").replaceChildren(found.length ? table : el("p", { text: "条件に合う事例はありません。条件を外してください。" }), more || "");
    // the chart: the dots of the cases shown stay, the others fade (when a filter is chosen)
    const shown = new Set(found.map((c) => c.url));
    const filtered = found.length < data.cases.length;
    for (const dot of document.querySelectorAll(".handbook-chart a[data-url]")) {
      dot.classList.toggle("hx-out", filtered && !shown.has(dot.dataset.url));
    }
    for (const tile of document.querySelectorAll(".handbook-map a.hx-tile")) {
      const chosen = state.prefecture.has(tile.dataset.prefecture);
      tile.classList.toggle("hx-selected", chosen);
      if (chosen) tile.setAttribute("aria-current", "true");
      else tile.removeAttribute("aria-current");
    }
  }

  function start() {
    const root = document.getElementById("handbook-explorer");
    const data = window.HANDBOOK_CASES;
    if (!root || !data) return;
    const state = stateFromUrl();
    // On a phone the map, the chart and the facets are folded, so that the results come first
    // (each opens with one tap); on a wider screen the map and the facets are open.
    const narrow = window.matchMedia("(max-width: 46em)").matches;
    const figures = [...document.querySelectorAll("details.handbook-figure")];
    if (narrow) for (const box of figures) box.open = false;
    // on paper the map and the chart are shown whatever their state on the screen
    let before = [];
    window.addEventListener("beforeprint", () => {
      before = figures.map((box) => box.open);
      for (const box of figures) box.open = true;
    });
    window.addEventListener("afterprint", () => figures.forEach((box, i) => (box.open = before[i] ?? box.open)));
    root.replaceChildren(
      el("details", Object.assign({ class: "hx-facets-box" }, narrow ? {} : { open: "" }),
        el("summary"),
        el("form", { class: "hx-facets", "aria-label": "事例の絞り込み" })),
      el("p", { class: "hx-status", id: "handbook-explorer-results", role: "status", "aria-live": "polite", tabindex: "-1" }),
      el("div", { class: "hx-results" }));
    root.classList.add("hx-ready");
    // the skip link's target without script is the explorer; with it, the results
    const skip = document.querySelector(".handbook-skip a");
    if (skip) {
      skip.addEventListener("click", (e) => {
        e.preventDefault();
        const status = document.getElementById("handbook-explorer-results");
        status.focus();
        status.scrollIntoView({ block: "start" });
      });
    }
    const update = (push) => {
      if (push) {
        try {
          history.replaceState(null, "", urlOf(state));
        } catch (err) {
          // some browsers refuse to change a file:// URL; the filters still work
        }
      }
      drawFacets(root, data, state);
      drawResults(root, data, state);
      const chosen = FACETS.reduce((n, [key]) => n + state[key].size, 0);
      root.querySelector(".hx-facets-box > summary").textContent =
        "条件で絞り込む・並べ替える" + (chosen ? `（${chosen} 件の条件を選択中）` : "");
    };
    root.addEventListener("change", (e) => {
      const t = e.target;
      if (t.name === "sort") state.sort = t.value;
      else if (state[t.name] instanceof Set) state[t.name][t.checked ? "add" : "delete"](t.value);
      state.shown = PAGE;
      update(true);
      refocus(root, t);
    });
    root.addEventListener("click", (e) => {
      if (e.target.closest(".hx-clear")) {
        for (const [key] of FACETS) state[key].clear();
        update(true);
        root.querySelector(".hx-clear").focus();
      } else if (e.target.closest(".hx-more")) {
        state.shown += PAGE;
        drawResults(root, data, state);
      }
    });
    // the tile map: a link ?prefecture=… filters in place (only that prefecture)
    for (const a of document.querySelectorAll(".handbook-map a.hx-tile")) {
      a.addEventListener("click", (e) => {
        const name = a.dataset.prefecture;
        if (!name) return;
        e.preventDefault();
        const only = state.prefecture.size === 1 && state.prefecture.has(name);
        state.prefecture.clear();
        if (!only) state.prefecture.add(name);
        state.shown = PAGE;
        update(true);
        root.querySelector(".hx-status").scrollIntoView({ block: "nearest" });
      });
    }
    update(false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
