/*
 * Site search of the handbook: the query side of handbook_search.site.searchindex.
 *
 * The index (window.HANDBOOK_SEARCH_INDEX, loaded by a <script> tag so that file:// works)
 * was built with the CLI's Sudachi analysis. Here, without Sudachi, a query is:
 *   1. NFKC-normalized (全角/半角) and parsed like the CLI: words AND-ed, "phrases", -exclusions;
 *   2. segmented into the index's own units: the cheapest cover of each word by spellings found
 *      in the corpus and in synonyms.yaml (each maps to normalized terms and, for a compound,
 *      its parts; particles map to nothing), unknown letters forming a unit of their own;
 *   3. expanded with the synonym groups, compounds matching whole or by all their parts;
 *   4. ranked with BM25F (title ×3, headings and metadata ×2), falling back to "any word"
 *      when no page has every word, and shown with the best section and a highlighted snippet.
 * Everything mirrors src/handbook_search/search/engine.py; the names follow it.
 */
(function () {
  "use strict";

  const MAX_QUERY_CHARS = 1000;
  const SNIPPET_CHARS = 110;
  const OPERATOR_WORDS = new Set(["AND", "OR", "NOT"]);
  const QUOTES = { '"': '"', "“": "”", "「": "」", "＂": "＂" };
  const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
  const SPACE = /\s/;
  const COST_KNOWN = 1; // one spelling of the vocabulary
  const COST_UNKNOWN = 1.5; // one letter the vocabulary does not cover
  const MESSAGES = {
    empty: "検索語を入力してください。",
    nothing: "検索できる語がありません（「の」「を」や記号だけでは検索できません）。",
    fallback: "すべての語を含むページがないため、いずれかの語を含むページを表示しています。",
  };

  class QueryError extends Error {}

  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  // -- the index ---------------------------------------------------------------------------
  class Index {
    constructor(data) {
      this.data = data;
      this.pages = data.pages;
      this.terms = data.terms;
      this.termId = new Map(data.terms.map((t, i) => [t, i]));
      this.vocab = new Map(Object.entries(data.vocab));
      this.maxSpelling = 1;
      for (const key of this.vocab.keys()) {
        this.maxSpelling = Math.max(this.maxSpelling, key.length);
      }
      this.synonyms = data.synonyms.map((group) =>
        group.map((key) => key.map((id) => this.terms[id])),
      );
      this.synonymLookup = new Map();
      this.synonymLongest = 0;
      this.synonyms.forEach((group, i) => {
        for (const key of group) {
          const k = key.join("\u0000");
          if (!this.synonymLookup.has(k)) this.synonymLookup.set(k, i);
          this.synonymLongest = Math.max(this.synonymLongest, key.length);
        }
      });
      this.stats = new Map(); // term → {pages: Map(page → [tf per field]), df}
      this.positionsCache = new Map(); // text → Map(term → positions), for phrases
    }

    unit(entry) {
      return { text: this.terms[entry[0]], parts: entry.slice(1).map((id) => this.terms[id]) };
    }

    /**
     * The cheapest cover of `text` by vocabulary spellings: units {text, parts}, and markers
     * {gap} (punctuation or space between words) and {particle} (a dropped particle).
     */
    segment(text) {
      const s = fold(text);
      const n = s.length;
      const cost = new Array(n + 1).fill(Infinity);
      const back = new Array(n + 1);
      cost[0] = 0;
      for (let i = 0; i < n; i++) {
        if (cost[i] === Infinity) continue;
        if (!WORD_CHAR.test(s[i])) {
          if (cost[i] < cost[i + 1]) {
            cost[i + 1] = cost[i];
            back[i + 1] = { from: i, gap: true };
          }
          continue;
        }
        for (let len = Math.min(this.maxSpelling, n - i); len >= 1; len--) {
          const entry = this.vocab.get(s.substr(i, len));
          if (entry !== undefined && cost[i] + COST_KNOWN < cost[i + len]) {
            cost[i + len] = cost[i] + COST_KNOWN;
            back[i + len] = { from: i, entry };
          }
        }
        if (cost[i] + COST_UNKNOWN < cost[i + 1]) {
          cost[i + 1] = cost[i] + COST_UNKNOWN;
          back[i + 1] = { from: i, unknown: true };
        }
      }
      const pieces = [];
      for (let j = n; j > 0; j = back[j].from) pieces.push({ ...back[j], to: j });
      pieces.reverse();
      const out = []; // {text, parts} units, and {gap: true} between words apart
      let unknown = "";
      const flush = () => {
        if (unknown) out.push({ text: unknown, parts: [] });
        unknown = "";
      };
      for (const p of pieces) {
        if (p.unknown) {
          unknown += s.slice(p.from, p.to);
          continue;
        }
        flush();
        if (p.gap) out.push({ gap: true });
        else if (p.entry === 0) out.push({ particle: true });
        else for (const entry of p.entry) out.push(this.unit(entry));
      }
      flush();
      return out;
    }

    /** Units of a word, as analysis.units gives them to the CLI. */
    units(text) {
      return this.segment(text).filter((u) => u.text !== undefined);
    }

    /** search.is_sentence: a word with particles or auxiliaries reads as a question. */
    isSentence(text) {
      return this.segment(text).some((u) => u.particle);
    }

    /** Per-term statistics, computed on first use from the postings. */
    stat(term) {
      let st = this.stats.get(term);
      if (st) return st;
      st = { pages: new Map(), df: [0, 0, 0, 0] }; // page → tf in title, headings, meta, body
      const id = this.termId.get(term);
      const postings = id === undefined ? [] : this.data.postings[id];
      for (let i = 0; i < postings.length; i += 5) {
        const tf = postings.slice(i + 1, i + 5);
        st.pages.set(postings[i], tf);
        tf.forEach((n, f) => (st.df[f] += n > 0 ? 1 : 0));
      }
      this.stats.set(term, st);
      return st;
    }

    /** BM25F as whoosh computes it: field boosts scale the term frequency. */
    termScores(term) {
      const st = this.stat(term);
      const { B, K1 } = this.data.bm25;
      const count = this.pages.length;
      const out = new Map();
      for (const [page, tf] of st.pages) {
        let score = 0;
        tf.forEach((n, f) => {
          if (!n) return;
          const idf = Math.log(count / (st.df[f] + 1)) + 1;
          const w = n * this.data.boosts[f];
          const fl = this.pages[page].lengths[f];
          const avg = this.data.avg_lengths[f] || 1;
          score += idf * ((w * (K1 + 1)) / (w + K1 * (1 - B + (B * fl) / avg)));
        });
        out.set(page, score);
      }
      return out;
    }

    synonymMatch(keys, at) {
      for (let n = Math.min(this.synonymLongest, keys.length - at); n > 0; n--) {
        const group = this.synonymLookup.get(keys.slice(at, at + n).join("\u0000"));
        if (group !== undefined) return [n, this.synonyms[group]];
      }
      return null;
    }
  }

  // -- query parsing (search.parse_query) ----------------------------------------------------
  function parseQuery(text) {
    if (text.length > MAX_QUERY_CHARS) {
      throw new QueryError(
        `検索語が長すぎます（${text.length.toLocaleString("ja-JP")} 文字）。` +
          `${MAX_QUERY_CHARS.toLocaleString("ja-JP")} 文字以内にしてください。`,
      );
    }
    const q = { words: [], phrases: [], excluded: [], notices: [] };
    text = text.replace(/\u3000/g, " ");
    const n = text.length;
    let i = 0;
    while (i < n) {
      let ch = text[i];
      if (SPACE.test(ch)) {
        i++;
        continue;
      }
      const negate = "-－−".includes(ch) && i + 1 < n && !SPACE.test(text[i + 1]);
      if (negate) ch = text[++i];
      if (Object.hasOwn(QUOTES, ch)) {
        let close = text.indexOf(QUOTES[ch], i + 1);
        if (close < 0) {
          q.notices.push(
            `閉じていない引用符 ${ch} があるため、最後までを一つのフレーズとして扱いました。`,
          );
          close = n;
        }
        const phrase = text.slice(i + 1, close).trim();
        i = close + 1;
        if (phrase) (negate ? q.excluded : q.phrases).push(phrase);
        continue;
      }
      let end = i;
      while (end < n && !SPACE.test(text[end])) end++;
      const word = text.slice(i, end);
      i = end;
      if (OPERATOR_WORDS.has(word.toUpperCase())) {
        q.notices.push(`${word} は演算子ではなく、無視しました（語を並べると AND で検索します）。`);
        continue;
      }
      (negate ? q.excluded : q.words).push(word);
    }
    return q;
  }

  // -- query trees (search.build_queries) ----------------------------------------------------
  const Term = (t) => ({ op: "term", t });
  const And = (kids) => (kids.length === 1 ? kids[0] : { op: "and", kids });
  const Or = (kids) => (kids.length === 1 ? kids[0] : { op: "or", kids });
  const Boost = (q, boost) => ({ op: "boost", q, boost });

  function unitQuery(unit) {
    if (!unit.parts.length) return Term(unit.text);
    const node = Or([Term(unit.text), And(unit.parts.map(Term))]);
    node.compound = { whole: unit.text, parts: unit.parts };
    return node;
  }

  function keyQuery(key) {
    return key.length === 1 ? Term(key[0]) : And(key.map(Term));
  }

  /** search.minimal: a member that needs every unit of a shorter member adds nothing. */
  function minimal(keys) {
    const sets = keys.map((k) => new Set(k));
    const within = (a, b) => a.size < b.size && [...a].every((x) => b.has(x));
    return keys.filter((_, i) => !sets.some((other) => within(other, sets[i])));
  }

  function wordQueries(index, word) {
    const found = index.units(word);
    const keys = found.map((u) => u.text);
    const out = [];
    let i = 0;
    while (i < found.length) {
      const match = index.synonymMatch(keys, i);
      if (match) {
        const [n, group] = match;
        const boost = index.data.synonym_boost;
        const alternatives = minimal(group).map((k) =>
          boost === 1 ? keyQuery(k) : Boost(keyQuery(k), boost),
        );
        if (n === 1) alternatives.push(unitQuery(found[i]));
        out.push(Or(alternatives));
        i += n;
      } else {
        out.push(unitQuery(found[i]));
        i += 1;
      }
    }
    return out;
  }

  function phraseQuery(index, text) {
    const seq = [];
    for (const u of index.units(text)) seq.push(...(u.parts.length ? u.parts : [u.text]));
    if (!seq.length) return null;
    if (seq.length === 1) return Term(seq[0]);
    return { op: "phrase", seq };
  }

  function buildQueries(index, parsed) {
    const required = [];
    const loose = [];
    const questionUnits = index.data.question_units;
    for (const word of parsed.words) {
      const parts = wordQueries(index, word);
      if (questionUnits && index.units(word).length >= questionUnits && index.isSentence(word)) {
        // 買い物に困る高齢者への支援: a question, not a list of must-have words
        required.push(Or(parts));
        loose.push(...parts);
      } else if (parts.length) {
        required.push(And(parts));
        loose.push(...parts);
      }
    }
    for (const phrase of parsed.phrases) {
      const q = phraseQuery(index, phrase);
      if (q) {
        required.push(q);
        loose.push(q);
      }
    }
    if (!required.length) {
      if (parsed.words.length || parsed.phrases.length || parsed.excluded.length) {
        throw new QueryError(MESSAGES.nothing);
      }
      throw new QueryError(MESSAGES.empty);
    }
    const excluded = parsed.excluded.flatMap((w) => wordQueries(index, w));
    const without = (q) => (excluded.length ? { op: "andnot", q, not: Or(excluded) } : q);
    return {
      strict: without(And(required)),
      fallback: loose.length > 1 ? without(Or(loose)) : null,
      positive: Or(loose),
    };
  }

  /** Terms of the query that stand for themselves (not as a part of a compound). */
  function ownTerms(node, out = new Set()) {
    if (node.op === "term") out.add(node.t);
    else if (node.op === "phrase") node.seq.forEach((t) => out.add(t));
    else if (node.compound) out.add(node.compound.whole);
    else if (node.op === "andnot" || node.op === "boost") ownTerms(node.q, out);
    else node.kids.forEach((k) => ownTerms(k, out));
    return out;
  }

  function compounds(node, out = []) {
    if (node.compound) out.push(node.compound);
    else if (node.op === "andnot" || node.op === "boost") compounds(node.q, out);
    else if (node.kids) node.kids.forEach((k) => compounds(k, out));
    return out;
  }

  /**
   * The terms to look for in a page's sections: those of the query, less the parts of a
   * compound the page has whole (協議体 is shown as 協議体, not as every 体 of 体操 and 主体).
   * Only the display differs from the CLI, which highlights the parts too.
   */
  function shownTerms(index, page, terms, own, whole) {
    const drop = new Set();
    for (const c of whole) {
      if (index.stat(c.whole).pages.has(page)) c.parts.forEach((p) => own.has(p) || drop.add(p));
    }
    return drop.size ? new Set([...terms].filter((t) => !drop.has(t))) : terms;
  }

  function allTerms(node, out = new Set()) {
    if (node.op === "term") out.add(node.t);
    else if (node.op === "phrase") node.seq.forEach((t) => out.add(t));
    else if (node.op === "andnot" || node.op === "boost") allTerms(node.q, out);
    else node.kids.forEach((k) => allTerms(k, out));
    return out;
  }

  // -- evaluation ------------------------------------------------------------------------------
  /** Positions of mode A units in `text`, as CompoundFilter numbers them (for phrases). */
  function positions(index, text) {
    const cached = index.positionsCache.get(text);
    if (cached) return cached;
    const out = new Map();
    index.positionsCache.set(text, out);
    let pos = 0;
    let gap = false;
    for (const u of index.segment(text)) {
      if (u.gap) {
        gap = true;
        continue;
      }
      if (u.text === undefined) continue; // a particle takes no position
      if (gap && pos) pos += 1;
      gap = false;
      const add = (t, p) => (out.has(t) ? out.get(t) : out.set(t, []).get(t)).push(p);
      add(u.text, pos);
      u.parts.forEach((p, i) => add(p, pos + i));
      pos += Math.max(1, u.parts.length);
    }
    return out;
  }

  function hasPhrase(index, page, seq) {
    return index.pages[page].sections.some(([title, , text]) =>
      [title, text].some((t) => {
        const where = positions(index, t);
        return (where.get(seq[0]) || []).some((start) =>
          seq.every((term, j) => (where.get(term) || []).includes(start + j)),
        );
      }),
    );
  }

  function evaluate(index, node) {
    switch (node.op) {
      case "term":
        return index.termScores(node.t);
      case "and": {
        const [first, ...rest] = node.kids.map((k) => evaluate(index, k));
        const out = new Map();
        for (const [page, score] of first) {
          let total = score;
          if (rest.every((m) => m.has(page) && (total += m.get(page)) >= 0)) out.set(page, total);
        }
        return out;
      }
      case "or": {
        const out = new Map();
        for (const m of node.kids.map((k) => evaluate(index, k))) {
          for (const [page, score] of m) out.set(page, (out.get(page) || 0) + score);
        }
        return out;
      }
      case "phrase": {
        const all = evaluate(index, And(node.seq.map(Term)));
        for (const page of [...all.keys()]) {
          if (!hasPhrase(index, page, node.seq)) all.delete(page);
        }
        return all;
      }
      case "boost": {
        const out = evaluate(index, node.q);
        for (const [page, score] of out) out.set(page, score * node.boost);
        return out;
      }
      case "andnot": {
        const out = evaluate(index, node.q);
        for (const page of evaluate(index, node.not).keys()) out.delete(page);
        return out;
      }
      default:
        throw new Error(`unknown query node ${node.op}`);
    }
  }

  // -- sections and snippets (search.best_section, search.snippet) ---------------------------
  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function spansOf(text, surfaces) {
    const spans = [];
    for (const s of surfaces) {
      if (!s.trim()) continue;
      const re = new RegExp(escapeRegExp(s), "g");
      for (const m of text.matchAll(re)) spans.push([m.index, m.index + m[0].length]);
    }
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged = [];
    for (const [s, e] of spans) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(e, last[1]);
      else merged.push([s, e]);
    }
    return merged;
  }

  /**
   * search.best_section: the section where the most query terms show (any of their
   * spellings in its title or text), then the most hits; and the hit spans in its text.
   */
  function bestSection(index, page, terms) {
    const spellings = [];
    for (const t of terms) {
      const id = index.termId.get(t);
      if (id !== undefined && index.stat(t).pages.has(page)) spellings.push(index.data.surfaces[id]);
    }
    // a lone character (体 of 体操, 県 of 県内) is not shown as a hit when the query has longer
    // words; next to another hit it is (協議 + 体 → 協議体)
    const stray = [...terms].some((t) => t.length > 1);
    const sections = index.pages[page].sections;
    let best = 0;
    let bestKey = [-1, -1, 0];
    let bestSpans = [];
    sections.forEach(([title, , text], i) => {
      const matched = spellings.filter((ss) => ss.some((x) => text.includes(x) || title.includes(x)));
      let spans = spansOf(text, new Set(matched.flat()));
      if (stray) spans = spans.filter(([a, b]) => b - a > 1);
      const key = [matched.length, spans.length, -i];
      const cmp = key[0] - bestKey[0] || key[1] - bestKey[1] || key[2] - bestKey[2];
      if (cmp > 0) {
        best = i;
        bestKey = key;
        bestSpans = spans;
      }
    });
    return { section: best, spans: bestSpans };
  }

  function snippet(text, spans, width = SNIPPET_CHARS) {
    text = text.replace(/\n/g, " ");
    if (!spans.length) {
      const cut = text.slice(0, width);
      return cut ? [[cut + (text.length > width ? "…" : ""), false]] : [];
    }
    let start = 0;
    let bestCount = -1;
    for (const [s] of spans) {
      const st = Math.max(0, s - Math.floor(width / 3));
      const count = spans.filter(([a, b]) => st <= a && b <= st + width).length;
      if (count > bestCount) {
        start = st;
        bestCount = count;
      }
    }
    const end = Math.min(text.length, start + width);
    start = Math.max(0, Math.min(start, end - width));
    const out = [];
    let pos = start;
    for (let [s, e] of spans) {
      if (e <= start || s >= end) continue;
      s = Math.max(s, start);
      e = Math.min(e, end);
      if (s > pos) out.push([text.slice(pos, s), false]);
      out.push([text.slice(s, e), true]);
      pos = e;
    }
    if (pos < end) out.push([text.slice(pos, end), false]);
    if (start > 0) {
      if (out[0][1]) out.unshift(["…", false]);
      else out[0] = ["…" + out[0][0], false];
    }
    if (end < text.length) {
      if (out[out.length - 1][1]) out.push(["…", false]);
      else out[out.length - 1] = [out[out.length - 1][0] + "…", false];
    }
    return out;
  }

  // -- the search --------------------------------------------------------------------------------
  function matchesFilters(page, filters) {
    if (filters.kind && page.kind !== filters.kind) return false;
    if (filters.theme && !page.themes.includes(Number(filters.theme))) return false;
    return true;
  }

  /**
   * Search `text` (filters: {kind, theme}). Returns {query, total, mode, notices, hits,
   * unfiltered, counts, elapsed}; throws QueryError with a message for the user.
   */
  function search(index, text, filters = {}) {
    const started = performance.now();
    const parsed = parseQuery(text.normalize("NFKC"));
    const { strict, fallback, positive } = buildQueries(index, parsed);
    let mode = "and";
    let scores = evaluate(index, strict);
    const keep = (m) => [...m].filter(([p]) => matchesFilters(index.pages[p], filters));
    if (!keep(scores).length && fallback) {
      mode = "or";
      scores = evaluate(index, fallback);
    }
    const terms = allTerms(positive);
    const own = ownTerms(positive);
    const whole = compounds(positive);
    const ranked = keep(scores).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const hits = ranked.map(([page, score]) => {
      const shown = shownTerms(index, page, terms, own, whole);
      const { section, spans } = bestSection(index, page, shown);
      const [title, anchor, body] = index.pages[page].sections[section];
      return {
        page: index.pages[page],
        score,
        section: { title, anchor, index: section },
        snippet: snippet(body, spans),
      };
    });
    const counts = {};
    for (const [p] of scores) {
      const page = index.pages[p];
      if (!filters.theme || page.themes.includes(Number(filters.theme))) {
        counts[page.kind] = (counts[page.kind] || 0) + 1;
      }
    }
    const notices = [...parsed.notices];
    if (mode === "or") notices.push(MESSAGES.fallback);
    return {
      query: text,
      total: hits.length,
      unfiltered: scores.size,
      counts,
      mode,
      notices,
      hits,
      terms,
      elapsed: performance.now() - started,
    };
  }

  /** Words of the vocabulary close to `text` (shared character bigrams), that find pages. */
  function suggestions(index, text, limit = 3) {
    const grams = (s) => {
      const out = new Set();
      for (let i = 0; i < s.length - 1; i++) out.add(s.slice(i, i + 2));
      if (s.length === 1) out.add(s);
      return out;
    };
    const scored = [];
    for (const word of fold(text).split(/\s+/).filter(Boolean)) {
      const mine = grams(word);
      index.terms.forEach((term, id) => {
        if (term === word || term.length < 2 || !index.data.postings[id].length) return;
        if (!WORD_CHAR.test(term)) return;
        const theirs = grams(term);
        let shared = 0;
        for (const g of mine) if (theirs.has(g)) shared++;
        const dice = (2 * shared) / (mine.size + theirs.size);
        if (dice >= 0.4) scored.push([dice, index.data.surfaces[id][0] || term]);
      });
    }
    scored.sort((a, b) => b[0] - a[0] || a[1].length - b[1].length);
    const out = [];
    for (const [, word] of scored) {
      if (!out.includes(word) && fold(word) !== fold(text)) out.push(word);
      if (out.length >= limit) break;
    }
    return out;
  }

  // -- the page -----------------------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c !== null && c !== undefined) node.append(c);
    }
    return node;
  }

  function wareki(page) {
    return `${page.wareki}（${page.fiscal_year}年度）`;
  }

  function metaParts(index, page) {
    const kinds = index.data.kinds;
    const parts = [el("span", { class: `hs-kind hs-kind-${page.kind}`, text: kinds[page.kind] })];
    if (page.kind === "case") {
      const place = [page.municipality, page.prefecture].filter(Boolean).join("・");
      parts.push(el("span", { class: "hs-place", text: place }));
      parts.push(el("span", { class: "hs-year", text: wareki(page) }));
      parts.push(el("span", { class: "hs-themes", text: `テーマ ${page.themes.join("、")}` }));
    } else if (page.kind === "theme") {
      const name = index.data.themes[String(page.theme)] || "";
      parts.push(el("span", { class: "hs-themes", text: `テーマ ${page.theme}｜${name}` }));
    }
    return parts;
  }

  class SearchPage {
    constructor(root, index) {
      this.root = root;
      this.index = index;
      this.base = document.documentElement.dataset.content_root || "";
      this.form = root.querySelector("#hs-form");
      this.input = root.querySelector("#hs-q");
      this.status = root.querySelector("#hs-status");
      this.notices = root.querySelector("#hs-notices");
      this.results = root.querySelector("#hs-results");
      this.empty = root.querySelector("#hs-empty");
      this.themeSelect = root.querySelector("#hs-theme");
      this.timer = null;
      this.form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.run(true);
      });
      this.input.addEventListener("input", () => {
        this.root.dataset.state = "pending";
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.run(true), 250);
      });
      // chips and the theme select; not the text box, whose "change" on blur would redraw
      // the results under the pointer of a reader clicking one of them
      this.form.addEventListener("change", (e) => {
        if (e.target !== this.input) this.run(true);
      });
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
      const kind = params.get("kind") || "";
      const radio = this.form.querySelector(`input[name=kind][value="${CSS.escape(kind)}"]`);
      if (radio) radio.checked = true;
      this.themeSelect.value = /^(10|[1-9])$/.test(params.get("theme") || "")
        ? params.get("theme")
        : "";
      for (const box of document.querySelectorAll("input.sidebar-search")) box.value = this.input.value;
      this.run(false);
    }

    filters() {
      const kind = this.form.querySelector("input[name=kind]:checked");
      return { kind: kind ? kind.value : "", theme: this.themeSelect.value };
    }

    remember(text, filters) {
      const params = new URLSearchParams();
      if (text) params.set("q", text);
      if (filters.kind) params.set("kind", filters.kind);
      if (filters.theme) params.set("theme", filters.theme);
      try {
        const query = params.toString();
        const url = `${window.location.pathname}${query ? "?" + query : ""}`;
        window.history.replaceState(null, "", url);
      } catch (_) {
        // file:// may refuse to rewrite the address; the search itself still works
      }
      for (const box of document.querySelectorAll("input.sidebar-search")) box.value = text;
    }

    run(remember) {
      const text = this.input.value.trim();
      const filters = this.filters();
      if (remember) this.remember(text, filters);
      this.results.replaceChildren();
      this.notices.replaceChildren();
      this.empty.hidden = true;
      this.empty.replaceChildren();
      this.updateCounts(null);
      if (!text) {
        this.setStatus("", "idle");
        return;
      }
      let result;
      try {
        result = search(this.index, text, filters);
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        this.setStatus(err.message, "error");
        return;
      }
      this.root.dataset.elapsed = result.elapsed.toFixed(2);
      this.updateCounts(result.unfiltered ? result.counts : null);
      for (const n of result.notices) this.notices.append(el("li", { text: n }));
      if (!result.total) {
        this.setStatus(`「${text}」に一致するページは見つかりませんでした。`, "none");
        this.showEmpty(text, filters, result);
        return;
      }
      const ms = result.elapsed < 1 ? "1 ms 未満" : `${Math.round(result.elapsed)} ms`;
      this.setStatus(`「${text}」の検索結果: ${result.total} 件（${ms}）`, "done");
      result.hits.forEach((hit, i) => this.results.append(this.renderHit(hit, i, result)));
    }

    setStatus(text, state) {
      this.status.textContent = text;
      this.root.dataset.state = state;
    }

    updateCounts(counts) {
      for (const label of this.form.querySelectorAll(".hs-chip")) {
        const badge = label.querySelector(".hs-count");
        const kind = label.querySelector("input").value;
        if (!counts) badge.textContent = "";
        else if (!kind) badge.textContent = String(Object.values(counts).reduce((a, b) => a + b, 0));
        else badge.textContent = String(counts[kind] || 0);
      }
    }

    renderHit(hit, i, result) {
      const page = hit.page;
      const anchor = hit.section.anchor ? `#${hit.section.anchor}` : "";
      const highlight = [...new Set(hit.snippet.filter(([, h]) => h).map(([t]) => t))]
        .slice(0, 5)
        .join(" ");
      const query = highlight ? `?highlight=${encodeURIComponent(highlight)}` : "";
      const href = `${this.base}${page.url}${query}${anchor}`;
      const item = el(
        "li",
        {
          class: "hs-result",
          "data-url": page.url,
          "data-kind": page.kind,
          "data-theme": page.theme,
          "data-municipality": page.municipality,
          "data-rank": i + 1,
        },
        el("a", { class: "hs-title", href: href, text: page.title }),
        el("div", { class: "hs-meta" }, metaParts(this.index, page)),
      );
      if (hit.section.index > 0) {
        item.append(el("div", { class: "hs-section", text: `§ ${hit.section.title}` }));
      }
      const snip = el("p", { class: "hs-snippet" });
      for (const [t, isHit] of hit.snippet) snip.append(isHit ? el("mark", { text: t }) : t);
      item.append(snip);
      return item;
    }

    showEmpty(text, filters, result) {
      const list = el("ul");
      const search = (q) => `${this.base}search.html?q=${encodeURIComponent(q)}`;
      if (result.unfiltered && (filters.kind || filters.theme)) {
        const clear = el("a", { href: search(text), text: "絞り込みを外す" });
        list.append(
          el("li", {}, `絞り込みを外すと ${result.unfiltered} 件見つかります（`, clear, "）。"),
        );
      }
      const close = suggestions(this.index, text);
      if (close.length) {
        const links = close.map((w, i) => [i ? "、" : "", el("a", { href: search(w), text: w })]);
        list.append(el("li", { class: "hs-suggest" }, "もしかして: ", links));
      }
      list.append(
        el(
          "li",
          {},
          "語を減らすか、別の言い方（例: 「SC」と「生活支援コーディネーター」、" +
            "「担い手の確保」と「担い手確保」）で試してください。",
        ),
      );
      const themes = this.index.pages
        .filter((p) => p.kind === "theme")
        .sort((a, b) => a.theme - b.theme)
        .map((p, i) => [i ? "、" : "", el("a", { href: `${this.base}${p.url}`, text: p.title })]);
      list.append(el("li", { class: "hs-themes-suggest" }, "テーマから探す: ", themes));
      list.append(
        el(
          "li",
          {},
          el("a", { href: `${this.base}docs/cases.html`, text: "事例一覧" }),
          "や",
          el("a", { href: `${this.base}docs/index.html`, text: "トップページ" }),
          "からもたどれます。",
        ),
      );
      this.empty.append(el("p", { text: "次のことを試してください。" }), list);
      this.empty.hidden = false;
    }
  }

  let shared = null;
  function index() {
    if (!shared) {
      const data = window.HANDBOOK_SEARCH_INDEX;
      if (!data) throw new Error("handbook-search-index.js is not loaded");
      shared = new Index(data);
    }
    return shared;
  }

  window.HandbookSearch = {
    search: (text, filters) => search(index(), text, filters),
    segment: (text) => index().segment(text),
    parseQuery,
    QueryError,
  };

  function start() {
    const root = document.getElementById("handbook-search");
    if (!root) return;
    try {
      new SearchPage(root, index());
    } catch (err) {
      root.querySelector("#hs-status").textContent =
        "検索の索引を読み込めませんでした。サイトを作り直してください（make html）。";
      throw err;
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
