/* 事例一覧's case explorer (handbook_search.site.explorer): facets with counts, sort, results as
 * a table (desktop) or cards (phone, by CSS), the state in the URL (?prefecture=熊本県&theme=5),
 * and the tile map's links filtering in place. The cases come first: the facets, the map
 * (「地図から選ぶ」) and the chart are buttons of one bar, each opening its panel under it. Data: window.HANDBOOK_CASES
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
  // the table's columns; each case's 概要 follows in a row of its own
  const COLUMNS = ["自治体", "都道府県", "年度", "テーマ", "支援の型", "人口・高齢化率"];

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

  function chip(key, value, label) {
    const input = el("input", { type: "checkbox", name: key, value });
    return el("label", { class: "hx-chip" }, input, el("span", { text: label }), el("span", { class: "hx-count" }));
  }

  // the filter bar: one button per facet (and 「地図から選ぶ」, the chart), each opening its panel
  // under the bar (one at a time), then the sort and 「条件をすべて外す」
  function toggle(id, label) {
    return el("button", { type: "button", class: "hx-toggle", "aria-expanded": "false", "aria-controls": id,
      "data-label": label, text: label });
  }

  function panel(id, classes, ...children) {
    const box = el("div", { class: "hx-panel " + classes, id }, ...children);
    box.hidden = true;
    return box;
  }

  function drawBar(form, data, state, figures) {
    const buttons = el("div", { class: "hx-buttons" });
    const panels = [];
    for (const [key, legend, of] of FACETS) {
      const box = el("fieldset", { class: `hx-facet hx-facet-${key}` }, el("legend", { text: legend }));
      if (key === "prefecture") {
        for (const [bureau, prefectures] of data.bureaus) {
          const group = el("div", { class: "hx-group" }, el("span", { class: "hx-group-name", text: bureau }));
          for (const p of prefectures) group.append(chip(key, p, p));
          box.append(group);
        }
      } else {
        for (const v of valuesOf(data, key, of)) box.append(chip(key, v, labelOf(data, key, v)));
      }
      buttons.append(toggle(`hx-panel-${key}`, legend));
      panels.push(panel(`hx-panel-${key}`, "", box));
    }
    // the map and the chart drawn at build time: their <details> become panels of the bar
    for (const [name, label, figure] of figures) {
      buttons.append(toggle(`hx-panel-${name}`, label));
      const classes = [...figure.classList].join(" ");
      panels.push(panel(`hx-panel-${name}`, classes, ...[...figure.children].filter((c) => c.tagName !== "SUMMARY")));
      figure.remove();
    }
    const select = el("select", { name: "sort", "aria-label": "並べ替え" });
    for (const [v, label] of SORTS) {
      const o = el("option", { value: v, text: label });
      o.selected = v === state.sort;
      select.append(o);
    }
    const clear = el("button", { type: "button", class: "hx-clear", text: "条件をすべて外す" });
    buttons.append(el("label", { class: "hx-sort" }, "並べ替え ", select), clear);
    form.replaceChildren(buttons, ...panels);
  }

  // counts, checks and the buttons' labels follow the state (the chips stay: focus is kept)
  function drawFacets(root, data, state) {
    for (const [key, legend, of] of FACETS) {
      const n = counts(data, state, key, of);
      for (const label of root.querySelectorAll(`.hx-facet-${key} .hx-chip`)) {
        const input = label.querySelector("input");
        const count = n.get(input.value) || 0;
        input.checked = state[key].has(input.value);
        label.classList.toggle("hx-zero", !count);
        label.querySelector(".hx-count").textContent = String(count);
      }
      const button = root.querySelector(`[aria-controls="hx-panel-${key}"]`);
      const chosen = [...state[key]].map((v) => labelOf(data, key, v));
      button.textContent = legend + (chosen.length === 1 ? `：${chosen[0]}` : chosen.length ? `：${chosen.length} 件` : "");
      button.classList.toggle("hx-chosen", chosen.length > 0);
    }
    root.querySelector("select[name=sort]").value = state.sort;
  }

  function openPanel(root, button) {
    const opening = Boolean(button) && button.getAttribute("aria-expanded") !== "true";
    for (const b of root.querySelectorAll(".hx-toggle")) {
      const open = opening && b === button;
      b.setAttribute("aria-expanded", String(open));
      document.getElementById(b.getAttribute("aria-controls")).hidden = !open;
    }
  }

  // `text` with <wbr> at `breaks` (UTF-16 offsets from site/phrases.py) or, for a date
  // (「（2024年10月31日時点）」), after 年 and 日: a cell's line ends only there (CSS keep-all)
  function phrased(text, breaks) {
    const cuts = breaks || [...text.matchAll(/[年日](?=.)/g)].map((m) => m.index + 1);
    return [0, ...cuts].flatMap((at, i) => [i ? el("wbr") : null, text.slice(at, cuts[i] ?? text.length)]);
  }

  // an empty value: a dash to the eye, 「記載なし」 to a screen reader
  function missing(data) {
    return [el("span", { "aria-hidden": "true", class: "hx-missing", text: "—" }),
      el("span", { class: "hx-sr", text: data.unknown })];
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
    let blanks = false;
    for (const c of found.slice(0, state.shown)) {
      // each theme by number and name, never broken inside (CSS: nowrap per theme)
      const themes = el("td", { "data-label": "テーマ", class: "hx-themes" });
      c.themes.forEach((n, i) => themes.append(i ? "、" : "", el("span", { class: "hx-theme", text: `${n} ${data.themes[n]}` })));
      const type = el("td", { "data-label": "支援の型" },
        ...(c.type === data.unknown ? missing(data) : phrased(c.type, data.breaks[c.type] || [])));
      // 人口 and 高齢化率, each with the date the source gives for it (as on the case page)
      const figures = el("td", { "data-label": "人口・高齢化率", class: "hx-num" });
      if (c.population == null && c.aging_rate == null) figures.append(...missing(data));
      if (c.population != null) {
        figures.append(el("span", { class: "hx-figure", text: `${c.population.toLocaleString("ja-JP")}人` }),
          el("span", { class: "hx-as-of" }, ...phrased(c.population_as_of)));
      }
      if (c.aging_rate != null) {
        figures.append(el("span", { class: "hx-figure", text: `高齢化率 ${c.aging_rate}%` }),
          el("span", { class: "hx-as-of" }, ...phrased(c.aging_rate_as_of)));
      }
      blanks ||= c.type === data.unknown || (c.population == null && c.aging_rate == null);
      // a short name stays whole: no <wbr> in it (Chromium breaks at a <wbr> even in nowrap)
      const whole = c.municipality.length <= data.whole_name;
      // 概要 is running text: a row of its own under the case, as wide as the table (a column of
      // its own would be squeezed to a few characters beside six columns that must not break)
      body.append(el("tr", { class: "hx-row", "data-prefecture": c.prefecture },
        el("td", { "data-label": "自治体", class: whole ? "hx-name hx-whole" : "hx-name" }, el("a", { href: root_ + c.url }, ...phrased(c.municipality, whole ? [] : data.breaks[c.municipality] || []))),
        el("td", { "data-label": "都道府県", text: c.prefecture }),
        el("td", { "data-label": "年度", text: c.wareki }),
        themes,
        type,
        figures),
      el("tr", { class: "hx-summary-row" },
        el("td", { colspan: String(COLUMNS.length), class: "hx-summary" },
          el("span", { class: "hx-sr", text: "概要：" }), c.summary)));
    }
    const head = el("tr");
    for (const h of COLUMNS) head.append(el("th", { scope: "col", text: h }));
    const table = el("table", { class: "hx-table" }, el("thead", {}, head), body);
    const more = found.length > state.shown
      ? el("button", { type: "button", class: "hx-more", text: `さらに表示（残り ${found.length - state.shown} 件）` })
      : null;
    const legend = blanks ? el("p", { class: "hx-note", text: `「—」は出典に${data.unknown}の項目です。` }) : "";
    root.querySelector(".hx-results").replaceChildren(
      found.length ? table : el("p", { text: "条件に合う事例はありません。条件を外してください。" }), legend, more || "");
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
    // the cases come first: the facets, the map and the chart are folded behind the bar's buttons
    const figures = [["map", "地図から選ぶ", ".handbook-map"], ["chart", "人口と高齢化率のグラフ", ".handbook-chart"]]
      .map(([name, label, css]) => [name, label, document.querySelector(`details.handbook-figure${css}`)])
      .filter(([, , figure]) => figure);
    const form = el("form", { class: "hx-facets", "aria-label": "事例の絞り込み" });
    root.replaceChildren(form,
      el("p", { class: "hx-status", id: "handbook-explorer-results", role: "status", "aria-live": "polite", tabindex: "-1" }),
      el("div", { class: "hx-results" }));
    drawBar(form, data, state, figures);
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
    };
    form.addEventListener("submit", (e) => e.preventDefault());
    root.addEventListener("change", (e) => {
      const t = e.target;
      if (t.name === "sort") state.sort = t.value;
      else if (state[t.name] instanceof Set) state[t.name][t.checked ? "add" : "delete"](t.value);
      state.shown = PAGE;
      update(true);
    });
    root.addEventListener("click", (e) => {
      const button = e.target.closest(".hx-toggle");
      if (button) openPanel(root, button);
      else if (e.target.closest(".hx-clear")) {
        for (const [key] of FACETS) state[key].clear();
        update(true);
        root.querySelector(".hx-clear").focus();
      } else if (e.target.closest(".hx-more")) {
        state.shown += PAGE;
        drawResults(root, data, state);
      }
    });
    // Esc closes the open panel and gives the focus back to its button
    root.addEventListener("keydown", (e) => {
      const open = root.querySelector(".hx-panel:not([hidden])");
      if (e.key !== "Escape" || !open) return;
      const button = root.querySelector(`[aria-controls="${open.id}"]`);
      openPanel(root, null);
      button.focus();
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
    // on paper the map and the chart are printed (CSS), the facets' panels not
    update(false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
