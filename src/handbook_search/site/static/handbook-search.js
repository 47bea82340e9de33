/*
 * Site search of the handbook: the query side of handbook_search.site.searchindex.
 *
 * The index was built with the CLI's Sudachi analysis and cut into shards, as Pagefind does:
 * window.HANDBOOK_SEARCH_INDEX (the entry: settings, page table, range tables) is loaded by a
 * <script> tag, and each query loads only the shards it needs (vocabulary for its letters,
 * postings for its terms, positions for phrases, one shard per result shown), each a small
 * .js file loaded by a <script> tag, so that file:// works. Here, without Sudachi, a query is:
 *   1. NFKC-normalized (全角/半角) and parsed like the CLI: words AND-ed, "phrases", -exclusions;
 *   2. segmented into the index's own units: the cheapest cover of each word by spellings found
 *      in the corpus and in dictionary.yml (each maps to normalized terms and, for a compound,
 *      its parts; particles map to nothing), unknown letters forming a unit of their own
 *      (with the one-letter words next to them);
 *   3. expanded with the synonym groups (a member of several words as a phrase), compounds
 *      matching whole or by all their parts;
 *   4. ranked in two stages: BM25F (title ×3, headings and metadata ×2, body ×0.5), first among the pages that name
 *      each word with a one-letter unit (協議体: its units together, or all in the title or the
 *      headings), then among all pages with every word, then "any word" (of two letters or
 *      more); then the first rerank_k pages get the bonuses that need positions (a word's
 *      neighbouring units near each other; a word written together, as typed) and are sorted
 *      again;
 *   4b. on the "any word" fallback, the first VERBATIM_PAGES pages are read for the words as
 *      typed: those that contain them all are the result (a name copied from a page, that
 *      the cover here reads otherwise than Sudachi read the page; verbatimPages);
 *   5. shown with the best section and a highlighted snippet (capped, linear in the page's
 *      length).
 * Everything mirrors src/handbook_search/search/engine.py; the names follow it.
 */
(function () {
  "use strict";

  const MAX_QUERY_CHARS = 1000;
  const SNIPPET_CHARS = 110;
  const PAGE_SIZE = 10; // results shown at once (their sections are loaded for the snippets)
  const VERBATIM_PAGES = 20; // "any word" results read for the words as typed (verbatimPages)
  const MAX_SPANS = 500; // hits collected per section text
  const MAX_MARKS = 24; // highlighted spans per snippet
  const PHRASE_GAP = "[ぁ-ゖ]{0,3}"; // what a snippet allows between a phrase's words (の …)
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


  // -- shards (handbook_search.site.searchindex.shard_index) ---------------------------------
  // Each shard is a small .js file that calls handbookSearchShard(name, data): loaded with a
  // <script> tag, it works from file:// (where fetch() is refused) as well as over HTTP.
  const shards = new Map(); // name → {promise, resolve, reject, data}
  let shardBase = "";

  window.handbookSearchShard = (name, data) => {
    const entry = shards.get(name);
    if (entry) {
      entry.data = data;
      entry.resolve(data);
    }
  };

  function loadShard(name) {
    let entry = shards.get(name);
    if (!entry) {
      entry = {};
      entry.promise = new Promise((resolve, reject) => {
        entry.resolve = resolve;
        entry.reject = reject;
      });
      shards.set(name, entry);
      const script = document.createElement("script");
      script.src = `${shardBase}${name}.js`;
      script.async = true;
      script.onerror = () => {
        shards.delete(name);
        entry.reject(new Error(`検索の索引（${name}）を読み込めませんでした。`));
      };
      document.head.append(script);
    }
    return entry.promise;
  }

  /** The files of a range table [[first, last, file]…] whose range meets [lo, hi]. */
  function chunksFor(table, lo, hi) {
    const out = [];
    let a = 0;
    let b = table.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (table[m][1] < lo) a = m + 1;
      else b = m;
    }
    for (let i = a; i < table.length && table[i][0] <= hi; i++) out.push(table[i][2]);
    return out;
  }

  // -- the index ---------------------------------------------------------------------------
  class Index {
    constructor(data) {
      this.data = data;
      this.pages = data.pages;
      this.vocab = new Map();
      this.maxSpelling = data.max_spelling || 1;
      this.terms = new Map(); // term → [postings, spellings], from loaded term shards
      this.where = new Map(); // term → positions, from loaded position shards (phrases)
      this.sections = new Map(); // page → sections, from loaded page shards
      this.done = new Set(); // shards merged
      this.synonyms = data.synonyms; // groups of [key, mode A sequence]
      this.synonymLookup = new Map();
      this.synonymLongest = 0;
      this.synonyms.forEach((group, i) => {
        for (const [key] of group) {
          const k = key.join("\u0000");
          if (!this.synonymLookup.has(k)) this.synonymLookup.set(k, i);
          this.synonymLongest = Math.max(this.synonymLongest, key.length);
        }
      });
      this.stats = new Map(); // term → {pages: Map(page → [tf per field]), df}
      this.positionsCache = new Map(); // term → Map(page → [Set per field])
      this.waited = 0; // ms spent waiting for shards
    }

    async load(names, merge) {
      const todo = [...new Set(names)].filter((n) => !this.done.has(n));
      if (!todo.length) return;
      const started = performance.now();
      const loaded = await Promise.all(todo.map(loadShard));
      this.waited += performance.now() - started;
      todo.forEach((name, i) => {
        if (this.done.has(name)) return;
        this.done.add(name);
        merge(loaded[i]);
      });
    }

    /** The vocabulary shards that may hold a spelling starting anywhere in `text`. */
    loadVocab(text) {
      const s = fold(text);
      const names = [];
      for (let i = 0; i < s.length; i++) {
        if (!WORD_CHAR.test(s[i])) continue;
        names.push(...chunksFor(this.data.vocab_chunks, s[i], s.slice(i, i + this.maxSpelling)));
      }
      return this.load(names, (chunk) => {
        for (const [k, v] of Object.entries(chunk)) this.vocab.set(k, v);
      });
    }

    loadTerms(terms) {
      const names = [...terms].flatMap((t) => chunksFor(this.data.term_chunks, t, t));
      return this.load(names, (chunk) => {
        for (const [k, v] of Object.entries(chunk)) this.terms.set(k, v);
      });
    }

    loadPositions(terms) {
      const names = [...terms].flatMap((t) => chunksFor(this.data.position_chunks, t, t));
      return this.load(names, (chunk) => {
        for (const [k, v] of Object.entries(chunk)) this.where.set(k, v);
      });
    }

    loadSections(pages) {
      const byName = new Map(pages.map((p) => [this.pages[p].f, p]));
      return this.load([...byName.keys()], () => {}).then(() => {
        for (const [name, page] of byName) this.sections.set(page, shards.get(name).data);
      });
    }

    surfaces(term) {
      const found = this.terms.get(term);
      return found ? found[1] : [];
    }

    /**
     * The cheapest cover of `text` by vocabulary spellings: units {text, parts}, and markers
     * {gap} (punctuation or space between words) and {particle} (a dropped particle).
     * Letters the vocabulary does not cover form one unknown unit, together with the
     * one-letter words next to them (宇宙旅行 is one unknown word, not 宇宙旅 + 行).
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
      // pieces that are one known letter next to unknown letters join them
      const lone = (p) => p.entry && p.to - p.from === 1;
      for (let k = 0; k < pieces.length; k++) {
        if (!lone(pieces[k])) continue;
        const near = (j) => j >= 0 && j < pieces.length && pieces[j].unknown;
        if (near(k - 1) || near(k + 1)) pieces[k] = { ...pieces[k], entry: undefined, unknown: true };
      }
      for (let k = pieces.length - 1; k >= 0; k--) {
        if (!lone(pieces[k])) continue;
        const near = (j) => j >= 0 && j < pieces.length && pieces[j].unknown;
        if (near(k - 1) || near(k + 1)) pieces[k] = { ...pieces[k], entry: undefined, unknown: true };
      }
      const out = []; // {text, parts} units, and {gap: true} between words apart
      let unknown = "";
      const flush = () => {
        if (unknown) out.push({ text: unknown, parts: [], unknown: true });
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
        else for (const unit of p.entry) out.push({ text: unit[0], parts: unit.slice(1) });
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
      const found = this.terms.get(term);
      const postings = found ? found[0] : [];
      for (let i = 0; i < postings.length; i += 5) {
        const tf = postings.slice(i + 1, i + 5);
        st.pages.set(postings[i], tf);
        tf.forEach((n, f) => (st.df[f] += n > 0 ? 1 : 0));
      }
      this.stats.set(term, st);
      return st;
    }

    /** Positions of `term` on `page`, one Set per field (title, headings, meta, body). */
    positions(term, page) {
      let byPage = this.positionsCache.get(term);
      if (!byPage) {
        byPage = new Map();
        const flat = this.where.get(term) || [];
        for (let i = 0; i < flat.length; ) {
          const p = flat[i];
          const len = flat[i + 1];
          const fields = [new Set(), new Set(), new Set(), new Set()];
          let j = i + 2;
          while (j < i + 2 + len) {
            const f = flat[j];
            const count = flat[j + 1];
            let pos = 0; // stored as differences from the position before
            for (let k = 0; k < count; k++) fields[f].add((pos += flat[j + 2 + k]));
            j += 2 + count;
          }
          byPage.set(p, fields);
          i = j;
        }
        this.positionsCache.set(term, byPage);
      }
      return byPage.get(page);
    }

    /**
     * BM25F as whoosh computes it, per field: field boosts scale the term frequency, and each
     * field has its own B (engine.bm25f).
     */
    fieldScores(term) {
      const st = this.stat(term);
      if (st.fields) return st.fields;
      const { B, K1 } = this.data.bm25;
      const count = this.pages.length;
      st.fields = new Map();
      for (const [page, tf] of st.pages) {
        st.fields.set(
          page,
          tf.map((n, f) => {
            if (!n) return 0;
            const idf = Math.log(count / (st.df[f] + 1)) + 1;
            const w = n * this.data.boosts[f];
            const fl = this.pages[page].lengths[f];
            const avg = this.data.avg_lengths[f] || 1;
            return idf * ((w * (K1 + 1)) / (w + K1 * (1 - B[f] + (B[f] * fl) / avg)));
          }),
        );
      }
      return st.fields;
    }

    /**
     * The term in any field, or in `fields` (a whoosh Or of one Term per field): the fields'
     * scores add up.
     */
    termScores(term, fields = null) {
      const out = new Map();
      for (const [page, scores] of this.fieldScores(term)) {
        const found = fields ? fields.filter((f) => scores[f]) : [0, 1, 2, 3];
        if (found.length) out.set(page, found.reduce((a, f) => a + scores[f], 0));
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
  const WRAPS = new Set(["andnot", "boost", "require"]); // nodes around one query `q`

  function unitQuery(unit) {
    if (!unit.parts.length) return Term(unit.text);
    const node = Or([Term(unit.text), And(unit.parts.map(Term))]);
    node.compound = { whole: unit.text, parts: unit.parts };
    return node;
  }

  /** search._key_query: one unit is a term, several a phrase (not loose parts). */
  function keyQuery([key, seq]) {
    if (key.length === 1) return Term(key[0]);
    return seq.length === 1 ? Term(seq[0]) : { op: "phrase", seq };
  }

  /** search.minimal: a member that needs every unit of a shorter member adds nothing. */
  function minimal(members) {
    const sets = members.map(([k]) => new Set(k));
    const within = (a, b) => a.size < b.size && [...a].every((x) => b.has(x));
    return members.filter((_, i) => !sets.some((other) => within(other, sets[i])));
  }

  /** search._word_parts: {q, text, shown} per unit or synonym run of `word`. */
  function wordParts(index, word) {
    const found = index.units(word);
    const keys = found.map((u) => u.text);
    const out = [];
    let i = 0;
    while (i < found.length) {
      const match = index.synonymMatch(keys, i);
      if (match) {
        const [n, group] = match;
        const boost = index.data.synonym_boost;
        const members = minimal(group);
        const alternatives = members.map((m) =>
          boost === 1 ? keyQuery(m) : Boost(keyQuery(m), boost),
        );
        const shown = members.map(keyQuery);
        if (n === 1) {
          alternatives.push(unitQuery(found[i]));
          shown.push(unitQuery(found[i]));
        }
        out.push({ q: Or(alternatives), text: keys.slice(i, i + n).join(""), shown: Or(shown) });
        i += n;
      } else {
        const q = unitQuery(found[i]);
        out.push({ q, text: found[i].text, shown: q });
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

  /** search.mode_a_sequence: a word's mode A units in order, as positions number them. */
  function modeASequence(index, word) {
    return index.units(word).flatMap((u) => (u.parts.length ? u.parts : [u.text]));
  }

  /** search.is_synonym: whether the word as a whole is a synonym member. */
  function isSynonym(index, word) {
    const keys = index.units(word).map((u) => u.text);
    const match = keys.length ? index.synonymMatch(keys, 0) : null;
    return Boolean(match) && match[0] === keys.length;
  }

  /**
   * search.together_sequences: the mode A units of each word of two units or more (none for a
   * word that is a synonym as a whole), for stage 2 (rerank).
   */
  function togetherSequences(index, words) {
    const seqs = new Map();
    for (const word of words) {
      const seq = modeASequence(index, word);
      if (seq.length > 1 && !isSynonym(index, word)) seqs.set(seq.join("\u0000"), seq);
    }
    return [...seqs.values()];
  }

  /**
   * search.proximity_pairs: the pairs of neighbouring units of each word's units (`seqs`:
   * togetherSequences), for stage 2's proximity bonus (rerank).
   */
  function proximityPairs(seqs) {
    const pairs = new Map();
    for (const seq of seqs) {
      for (let i = 1; i < seq.length; i++) pairs.set(`${seq[i - 1]}\u0000${seq[i]}`, [seq[i - 1], seq[i]]);
    }
    return [...pairs.values()];
  }

  /**
   * search.concept_filter: what a page must match to name the concept `word` (its units
   * together, or every unit in the title or the headings; not a question: buildQueries); null
   * for a word of one unit, with no one-letter unit or with a synonym run.
   */
  function conceptFilter(index, word) {
    const keys = index.units(word).map((u) => u.text);
    if (keys.some((_, i) => index.synonymMatch(keys, i))) return null;
    const seq = modeASequence(index, word);
    if (seq.length < 2 || seq.every((u) => [...u].length > 1)) return null;
    const fields = index.data.naming_fields;
    const named = And([...new Set(seq)].map((t) => ({ op: "term", t, fields })));
    return Or([{ op: "phrase", seq, slop: index.data.concept_slop }, named]);
  }

  function buildQueries(index, parsed) {
    const required = [];
    const named = [];
    const loose = [];
    const shown = [];
    const wholes = []; // search.Queries.wholes: the words always written together
    const questionUnits = index.data.question_units;
    for (const word of parsed.words) {
      const found = wordParts(index, word);
      const parts = found.map((x) => x.q);
      shown.push(...found.map((x) => x.shown));
      // the "any word" fallback never rests on one character: 宇宙旅行 must not find 行
      const looseParts = found.filter((x) => x.text.length > 1).map((x) => x.q);
      if (questionUnits && index.units(word).length >= questionUnits && index.isSentence(word)) {
        // 買い物に困る高齢者への支援: a question, not a list of must-have words
        required.push(Or(parts));
        named.push(required.at(-1));
        loose.push(...looseParts);
      } else if (parts.length) {
        required.push(And(parts));
        if (modeASequence(index, word).length === 1 || isSynonym(index, word)) wholes.push(required.at(-1));
        const concept = conceptFilter(index, word);
        named.push(concept ? { op: "require", q: required.at(-1), req: concept } : required.at(-1));
        loose.push(...looseParts);
      }
    }
    for (const phrase of parsed.phrases) {
      const q = phraseQuery(index, phrase);
      if (q) {
        required.push(q);
        named.push(q);
        loose.push(q);
        shown.push(q);
      }
    }
    if (!required.length) {
      if (parsed.words.length || parsed.phrases.length || parsed.excluded.length) {
        throw new QueryError(MESSAGES.nothing);
      }
      throw new QueryError(MESSAGES.empty);
    }
    const excluded = parsed.excluded.flatMap((w) => wordParts(index, w).map((x) => x.q));
    const without = (q) => (excluded.length ? { op: "andnot", q, not: Or(excluded) } : q);
    // search.Queries: tried in order until one finds a page
    const tiers = [["and", without(And(named))]];
    if (named.some((q, i) => q !== required[i])) tiers.push(["and", without(And(required))]);
    if (loose.length > 1) tiers.push(["or", without(Or(loose))]);
    const together = togetherSequences(index, parsed.words);
    return { tiers, positive: Or(shown), pairs: proximityPairs(together), together, wholes };
  }

  /** Terms of the query that stand for themselves (not as a part of a compound). */
  function ownTerms(node, out = new Set()) {
    if (node.op === "term") out.add(node.t);
    else if (node.op === "phrase") return out;
    else if (node.compound) out.add(node.compound.whole);
    else if (WRAPS.has(node.op)) ownTerms(node.q, out);
    else node.kids.forEach((k) => ownTerms(k, out));
    return out;
  }

  function compounds(node, out = []) {
    if (node.compound) out.push(node.compound);
    else if (WRAPS.has(node.op)) compounds(node.q, out);
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

  /** search.highlight_terms: the terms highlighted one by one (not those of phrases). */
  function highlightTerms(node, out = new Set()) {
    if (node.op === "term") out.add(node.t);
    else if (node.op === "phrase") return out;
    else if (WRAPS.has(node.op)) highlightTerms(node.q, out);
    else node.kids.forEach((k) => highlightTerms(k, out));
    return out;
  }

  /** search.highlight_phrases: phrases, highlighted as a whole. */
  function phraseSeqs(node, out = new Map()) {
    if (node.op === "phrase") out.set(node.seq.join("\u0000"), node.seq);
    else if (WRAPS.has(node.op)) phraseSeqs(node.q, out);
    else if (node.kids) node.kids.forEach((k) => phraseSeqs(k, out));
    return out;
  }

  /** Every term a query tree needs loaded: the excluded ones too. */
  function allTerms(node, out = new Set()) {
    if (node.op === "term") out.add(node.t);
    else if (node.op === "phrase") node.seq.forEach((t) => out.add(t));
    else if (node.op === "andnot") {
      allTerms(node.q, out);
      allTerms(node.not, out);
    } else if (node.op === "require") {
      allTerms(node.q, out);
      allTerms(node.req, out);
    } else if (node.op === "boost") allTerms(node.q, out);
    else node.kids.forEach((k) => allTerms(k, out));
    return out;
  }

  // -- evaluation ------------------------------------------------------------------------------
  /** Phrase terms of a query tree (their positions are loaded only for phrases). */
  function phraseTerms(node, out = new Set()) {
    if (node.op === "phrase") node.seq.forEach((t) => out.add(t));
    else if (node.op === "andnot") {
      phraseTerms(node.q, out);
      phraseTerms(node.not, out);
    } else if (node.op === "require") {
      phraseTerms(node.q, out);
      phraseTerms(node.req, out);
    } else if (node.op === "boost") phraseTerms(node.q, out);
    else if (node.kids) node.kids.forEach((k) => phraseTerms(k, out));
    return out;
  }

  /**
   * whoosh's Phrase in each searched field (an Or of one Phrase per field): the fields where
   * `seq` occurs in order, on the positions of the index.
   */
  function phraseFields(index, page, seq, slop = 1) {
    const where = seq.map((t) => index.positions(t, page));
    if (where.some((w) => !w)) return [];
    // whoosh's SpanNear2 (ordered, mindist 1): each word 1 … slop positions after the one before
    const follows = (j, at, f) => {
      if (j === seq.length) return true;
      for (let d = 1; d <= slop; d++) if (where[j][f].has(at + d) && follows(j + 1, at + d, f)) return true;
      return false;
    };
    const out = [];
    for (let f = 0; f < 4; f++) {
      for (const start of where[0][f]) {
        if (follows(1, start, f)) {
          out.push(f);
          break;
        }
      }
    }
    return out;
  }

  function evaluate(index, node) {
    switch (node.op) {
      case "term":
        return index.termScores(node.t, node.fields);
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
        // a phrase scores, in each field where it occurs, the sum of its words' scores there
        const scores = node.seq.map((term) => index.fieldScores(term));
        const out = new Map();
        for (const page of scores[0].keys()) {
          if (!scores.every((m) => m.has(page))) continue;
          const fields = phraseFields(index, page, node.seq, node.slop);
          if (!fields.length) continue;
          let total = 0;
          for (const f of fields) for (const m of scores) total += m.get(page)[f];
          out.set(page, total);
        }
        return out;
      }
      case "boost": {
        const out = evaluate(index, node.q);
        for (const [page, score] of out) out.set(page, score * node.boost);
        return out;
      }
      case "require": {
        // engine.naming: the pages of q that match req too (the concept), scored by q alone
        const out = evaluate(index, node.q);
        const req = evaluate(index, node.req);
        for (const page of out.keys()) if (!req.has(page)) out.delete(page);
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

  /** search.near: some position of `second` 1 … `slop` after one of `first`. */
  function near(first, second, slop) {
    for (const p of first) for (let d = 1; d <= slop; d++) if (second.has(p + d)) return true;
    return false;
  }

  /** search.proximity_bonus: each pair near in a field adds its field scores × the boost. */
  function proximityBonus(index, pairs, page) {
    let total = 0;
    for (const [a, b] of pairs) {
      const x = index.positions(a, page);
      const y = index.positions(b, page);
      if (!x || !y) continue;
      const sa = index.fieldScores(a).get(page);
      const sb = index.fieldScores(b).get(page);
      for (let f = 0; f < 4; f++) {
        if (x[f].size && y[f].size && near(x[f], y[f], index.data.proximity_slop)) total += sa[f] + sb[f];
      }
    }
    return total * index.data.proximity_boost;
  }

  /**
   * search.together_bonus: each word of several units written together in a field (a phrase)
   * adds its units' scores there, each word always written together its score (`wholes`: its
   * page → score maps); × the boost.
   */
  function togetherBonus(index, wholes, seqs, page) {
    let total = 0;
    for (const whole of wholes) total += whole.get(page) || 0;
    for (const seq of seqs) {
      for (const f of phraseFields(index, page, seq, 1)) {
        for (const unit of seq) total += index.fieldScores(unit).get(page)[f];
      }
    }
    return total * index.data.together_boost;
  }

  /**
   * search.rerank: stage 2 on the first `rerank_k` pages of `ranked` ([page, score], best
   * first): the proximity and written-together bonuses; the pages after them keep their
   * stage-1 order.
   */
  function rerank(index, ranked, queries) {
    const k = index.data.rerank_k;
    const { pairs, together } = queries;
    if (!pairs.length && !queries.wholes.length) return ranked;
    const wholes = queries.wholes.map((q) => evaluate(index, q));
    const bonus = (page) => proximityBonus(index, pairs, page) + togetherBonus(index, wholes, together, page);
    const head = ranked.slice(0, k).map(([page, score]) => [page, score + bonus(page)]);
    head.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return [...head, ...ranked.slice(k)];
  }

  // -- sections and snippets (search.best_section, search.snippet) ---------------------------
  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /**
   * Hit spans of `surfaces` in `text`, merged and sorted; at most MAX_SPANS are collected, so
   * that a very long page with a frequent word costs time in proportion to its length only.
   */
  /** search.phrase_pattern: the words of a phrase one after the other, a few kana apart. */
  function phrasePattern(spellings) {
    if (!spellings.length || spellings.some((ss) => !ss.length)) return null;
    const words = spellings.map(
      (ss) => "(?:" + [...ss].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|") + ")",
    );
    return new RegExp(words.join(PHRASE_GAP), "g");
  }

  function matches(re, text) {
    re.lastIndex = 0;
    return re.test(text);
  }

  function spansOf(text, surfaces, patterns = []) {
    const spans = [];
    const collect = (re) => {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        if (m[0].length) spans.push([m.index, m.index + m[0].length]);
        if (spans.length >= MAX_SPANS) break;
      }
    };
    for (const s of surfaces) {
      if (s.trim()) collect(new RegExp(escapeRegExp(s), "g"));
    }
    patterns.forEach(collect);
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
   * spellings in its title or text), then one whose title is just the query's words (a
   * glossary entry), then the most hits; and the hit spans in its text.
   */
  function bestSection(index, page, terms, phrases = []) {
    const spellings = [];
    for (const t of terms) {
      if (index.stat(t).pages.has(page)) spellings.push(index.surfaces(t));
    }
    const patterns = phrases
      .map((seq) => phrasePattern(seq.map((t) => index.surfaces(t))))
      .filter(Boolean);
    // a lone character (体 of 体操, 県 of 県内) is not shown as a hit when the query has longer
    // words; next to another hit it is (協議 + 体 → 協議体)
    const stray = [...terms].some((t) => t.length > 1);
    const sections = index.sections.get(page);
    let best = 0;
    let bestKey = [-1, -1, -1, 0];
    let bestSpans = [];
    sections.forEach(([title, , text], i) => {
      const matched = spellings.filter((ss) => ss.some((x) => text.includes(x) || title.includes(x)));
      const found = patterns.filter((re) => matches(re, text) || matches(re, title));
      let spans = spansOf(text, new Set(matched.flat()), found);
      if (stray) spans = spans.filter(([a, b]) => b - a > 1);
      // a section titled with just the query's words (a glossary entry); the first section's
      // title is the page's: it names the page, not that section
      const whole = spansOf(title, new Set(matched.flat()), found);
      const inTitle = i > 0 && whole.length === 1 && whole[0][0] === 0 && whole[0][1] === title.length ? 1 : 0;
      const key = [matched.length + found.length, inTitle, spans.length, -i];
      const cmp = key[0] - bestKey[0] || key[1] - bestKey[1] || key[2] - bestKey[2] || key[3] - bestKey[3];
      if (cmp > 0) {
        best = i;
        bestKey = key;
        bestSpans = spans;
      }
    });
    return { section: best, spans: bestSpans };
  }

  /** The window of `width` characters around the densest hits (linear: two pointers over
   * the sorted, merged spans), with at most MAX_MARKS highlighted spans. */
  function snippet(text, spans, width = SNIPPET_CHARS) {
    text = text.replace(/\n/g, " ");
    if (!spans.length) {
      const cut = text.slice(0, width);
      return cut ? [[cut + (text.length > width ? "…" : ""), false]] : [];
    }
    let start = 0;
    let bestCount = -1;
    let lo = 0;
    let hi = 0;
    for (const [s] of spans) {
      const st = Math.max(0, s - Math.floor(width / 3));
      while (lo < spans.length && spans[lo][0] < st) lo++;
      if (hi < lo) hi = lo;
      while (hi < spans.length && spans[hi][1] <= st + width) hi++;
      if (hi - lo > bestCount) {
        start = st;
        bestCount = hi - lo;
      }
    }
    const end = Math.min(text.length, start + width);
    start = Math.max(0, Math.min(start, end - width));
    const out = [];
    let pos = start;
    let marks = 0;
    for (let [s, e] of spans) {
      if (e <= start) continue;
      if (s >= end || marks >= MAX_MARKS) break;
      s = Math.max(s, start);
      e = Math.min(e, end);
      if (s > pos) out.push([text.slice(pos, s), false]);
      out.push([text.slice(s, e), true]);
      marks++;
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
  const FILTER_KEYS = ["kind", "theme", "prefecture", "year"];

  function matchesFilters(page, filters) {
    if (filters.kind && page.kind !== filters.kind) return false;
    if (filters.theme && !page.themes.includes(Number(filters.theme))) return false;
    if (filters.prefecture && page.prefecture !== filters.prefecture) return false;
    if (filters.year && page.fiscal_year !== Number(filters.year)) return false;
    return true;
  }

  /** Hits `from` … `to` of a ranked result, their sections loaded (one small shard a page). */
  async function hitsOf(index, result, from, to) {
    const slice = result.ranked.slice(from, to);
    await index.loadSections(slice.map(([page]) => page));
    const started = performance.now();
    const hits = slice.map(([page, score]) => {
      const shown = shownTerms(index, page, result.terms, result.own, result.whole);
      const { section, spans } = bestSection(index, page, shown, result.phrases);
      const [title, anchor, body, breaks] = index.sections.get(page)[section];
      return {
        page: index.pages[page],
        score,
        section: { title, anchor, breaks, index: section },
        snippet: snippet(body, spans),
      };
    });
    result.elapsed += performance.now() - started;
    return hits;
  }

  /**
   * Search `text` (filters: {kind, theme, prefecture, year}), loading the shards it needs.
   * Resolves to {query, total, mode, notices, hits (the first `limit`), ranked, unfiltered,
   * counts, elapsed (ms of work, shard loading excluded), waited (ms loading shards)};
   * rejects with QueryError with a message for the user.
   */
  async function search(index, text, filters = {}, limit = PAGE_SIZE) {
    const started = performance.now();
    const waited = index.waited;
    const parsed = parseQuery(text.normalize("NFKC"));
    await index.loadVocab([...parsed.words, ...parsed.phrases, ...parsed.excluded].join(" "));
    const queries = buildQueries(index, parsed);
    const { tiers, positive, pairs } = queries;
    const trees = [...tiers.map(([, q]) => q), positive];
    const paired = pairs.flat();
    await index.loadTerms([...trees.flatMap((q) => [...allTerms(q)]), ...paired]);
    const phrases = new Set([...trees.flatMap((q) => [...phraseTerms(q)]), ...paired]);
    if (phrases.size) await index.loadPositions(phrases);
    const keep = (m) => [...m].filter(([p]) => matchesFilters(index.pages[p], filters));
    let mode = "and";
    let scores = new Map();
    for (const [tierMode, q] of tiers) {
      mode = tierMode;
      scores = evaluate(index, q);
      if (keep(scores).length) break;
    }
    if (mode === "or") {
      const typed = await verbatimPages(index, parsed, scores);
      if (typed.size) [mode, scores] = ["and", typed];
    }
    const ranked = rerank(index, keep(scores).sort((a, b) => b[1] - a[1] || a[0] - b[0]), queries);
    const counts = {};
    const others = { ...filters, kind: "" };
    for (const [p] of scores) {
      const page = index.pages[p];
      if (matchesFilters(page, others)) counts[page.kind] = (counts[page.kind] || 0) + 1;
    }
    const notices = [...parsed.notices];
    if (mode === "or") notices.push(MESSAGES.fallback);
    const result = {
      query: text,
      total: ranked.length,
      unfiltered: scores.size,
      counts,
      mode,
      notices,
      ranked,
      terms: highlightTerms(positive),
      phrases: [...phraseSeqs(positive).values()],
      own: ownTerms(positive),
      whole: compounds(positive),
      elapsed: performance.now() - started - (index.waited - waited),
    };
    result.hits = await hitsOf(index, result, 0, limit);
    result.waited = index.waited - waited;
    return result;
  }

  /**
   * The pages among the first VERBATIM_PAGES of an "any word" result (`scores`) that contain
   * every word and phrase of the query as typed (NFKC, lower case), with their scores. Without
   * Sudachi, a word is read as the cheapest cover by the index's spellings, and Sudachi may
   * have read the page's text otherwise (東岡島浜見守り日和: 浜見 + 守り on the page, 浜 + 見守り
   * here); the page that holds the very letters typed must not fall behind pages with some
   * of its units. Only on a fallback, and only for pages whose sections the first results
   * page loads anyway (hitsOf) or little more.
   */
  async function verbatimPages(index, parsed, scores) {
    const wanted = [...parsed.words, ...parsed.phrases].map(fold).filter(Boolean);
    const found = new Map();
    if (!wanted.length) return found;
    const first = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, VERBATIM_PAGES);
    await index.loadSections(first.map(([page]) => page));
    for (const [page, score] of first) {
      const text = index.sections
        .get(page)
        .map(([title, , body]) => fold(`${title}\n${body}`))
        .join("\n");
      if (wanted.every((w) => text.includes(w))) found.set(page, score);
    }
    return found;
  }

  /** Frequent words close to `text` (shared character bigrams); their list is loaded now. */
  async function suggestions(index, text, limit = 3) {
    await index.load([index.data.suggest], () => {});
    const common = shards.get(index.data.suggest).data;
    const grams = (s) => {
      const out = new Set();
      for (let i = 0; i < s.length - 1; i++) out.add(s.slice(i, i + 2));
      if (s.length === 1) out.add(s);
      return out;
    };
    const scored = [];
    for (const word of fold(text).split(/\s+/).filter(Boolean)) {
      const mine = grams(word);
      for (const [term, surface] of common) {
        if (term === word || !WORD_CHAR.test(term)) continue;
        const theirs = grams(term);
        let shared = 0;
        for (const g of mine) if (theirs.has(g)) shared++;
        const dice = (2 * shared) / (mine.size + theirs.size);
        if (dice >= 0.4) scored.push([dice, surface || term]);
      }
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

  // the text with <wbr> where a line may end (the index's BudouX boundaries; CSS keep-all
  // allows no other break), so a title is not cut inside a word
  function phrased(text, breaks = []) {
    const out = [];
    let from = 0;
    for (const at of [...breaks, text.length]) {
      if (from) out.push(el("wbr"));
      out.push(text.slice(from, at));
      from = at;
    }
    return out;
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
      // themes by name (「7 生活支援体制整備」), each kept on one line (.hs-theme-name: nowrap)
      const themes = el("span", { class: "hs-themes", text: "テーマ " });
      page.themes.forEach((n, i) => {
        if (i) themes.append("、");
        const name = index.data.themes[String(n)] || "";
        themes.append(el("span", { class: "hs-theme-name", text: `${n} ${name}`.trim() }));
      });
      parts.push(themes);
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
      this.more = root.querySelector("#hs-more");
      this.empty = root.querySelector("#hs-empty");
      this.selects = {
        theme: root.querySelector("#hs-theme"),
        prefecture: root.querySelector("#hs-prefecture"),
        year: root.querySelector("#hs-year"),
      };
      this.timer = null;
      this.serial = 0; // the latest search; an older one that answers late is dropped
      this.form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.run(true);
      });
      this.input.addEventListener("input", () => {
        this.root.dataset.state = "pending";
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.run(true), 250);
      });
      // chips and the selects; not the text box, whose "change" on blur would redraw
      // the results under the pointer of a reader clicking one of them
      this.form.addEventListener("change", (e) => {
        if (e.target !== this.input) this.run(true);
      });
      this.more.addEventListener("click", () => this.showMore());
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
      const kind = params.get("kind") || "";
      const radio = this.form.querySelector(`input[name=kind][value="${CSS.escape(kind)}"]`);
      if (radio) radio.checked = true;
      for (const [key, select] of Object.entries(this.selects)) {
        const value = params.get(key) || "";
        select.value = [...select.options].some((o) => o.value === value) ? value : "";
      }
      for (const box of document.querySelectorAll("input.sidebar-search")) box.value = this.input.value;
      this.run(false);
    }

    filters() {
      const kind = this.form.querySelector("input[name=kind]:checked");
      const out = { kind: kind ? kind.value : "" };
      for (const [key, select] of Object.entries(this.selects)) out[key] = select.value;
      return out;
    }

    remember(text, filters) {
      const params = new URLSearchParams();
      if (text) params.set("q", text);
      for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
      try {
        const query = params.toString();
        const url = `${window.location.pathname}${query ? "?" + query : ""}`;
        window.history.replaceState(null, "", url);
      } catch (_) {
        // file:// may refuse to rewrite the address; the search itself still works
      }
      for (const box of document.querySelectorAll("input.sidebar-search")) box.value = text;
    }

    async run(remember) {
      const serial = ++this.serial;
      const text = this.input.value.trim();
      const filters = this.filters();
      if (remember) this.remember(text, filters);
      if (!text) {
        this.clear();
        this.setStatus("", "idle");
        return;
      }
      this.root.dataset.state = "pending";
      let result;
      try {
        result = await search(this.index, text, filters);
      } catch (err) {
        if (serial !== this.serial) return;
        this.clear();
        if (!(err instanceof QueryError)) {
          this.setStatus(err.message || String(err), "error");
          throw err;
        }
        this.setStatus(err.message, "error");
        return;
      }
      if (serial !== this.serial) return;
      this.clear();
      this.result = result;
      this.root.dataset.elapsed = result.elapsed.toFixed(2);
      this.root.dataset.waited = result.waited.toFixed(2);
      this.updateCounts(result.unfiltered ? result.counts : null);
      for (const n of result.notices) this.notices.append(el("li", { text: n }));
      if (!result.total) {
        this.setStatus(`「${text}」に一致するページは見つかりませんでした。`, "none");
        await this.showEmpty(text, filters, result);
        return;
      }
      const ms = result.elapsed < 1 ? "1 ms 未満" : `${Math.round(result.elapsed)} ms`;
      this.setStatus(`「${text}」の検索結果: ${result.total} 件（${ms}）`, "done");
      result.hits.forEach((hit, i) => this.results.append(this.renderHit(hit, i, result)));
      this.more.hidden = result.hits.length >= result.total;
    }

    clear() {
      this.results.replaceChildren();
      this.notices.replaceChildren();
      this.more.hidden = true;
      this.empty.hidden = true;
      this.empty.replaceChildren();
      this.updateCounts(null);
    }

    async showMore() {
      const result = this.result;
      const from = this.results.children.length;
      const hits = await hitsOf(this.index, result, from, from + PAGE_SIZE);
      if (result !== this.result) return;
      hits.forEach((hit, i) => this.results.append(this.renderHit(hit, from + i, result)));
      this.more.hidden = this.results.children.length >= result.total;
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
          "data-prefecture": page.prefecture,
          "data-year": page.fiscal_year,
          "data-rank": i + 1,
        },
        el("a", { class: "hs-title", href: href }, phrased(page.title, page.title_breaks)),
        el("div", { class: "hs-meta" }, metaParts(this.index, page)),
      );
      if (hit.section.index > 0) {
        const { title, breaks } = hit.section;
        item.append(el("div", { class: "hs-section" }, "§ ", phrased(title, breaks)));
      }
      const snip = el("p", { class: "hs-snippet" });
      for (const [t, isHit] of hit.snippet) snip.append(isHit ? el("mark", { text: t }) : t);
      item.append(snip);
      return item;
    }

    async showEmpty(text, filters, result) {
      const list = el("ul");
      const search = (q) => `${this.base}search.html?q=${encodeURIComponent(q)}`;
      if (result.unfiltered && FILTER_KEYS.some((k) => filters[k])) {
        const clear = el("a", { href: search(text), text: "絞り込みを外す" });
        list.append(
          el("li", {}, `絞り込みを外すと ${result.unfiltered} 件見つかります（`, clear, "）。"),
        );
      }
      const close = await suggestions(this.index, text);
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
      shardBase = `${document.documentElement.dataset.content_root || ""}_static/handbook-search/`;
      shared = new Index(data);
    }
    return shared;
  }

  window.HandbookSearch = {
    search: (text, filters, limit) => search(index(), text, filters, limit),
    segment: (text) => index().loadVocab(text).then(() => index().segment(text)),
    shardsLoaded: () => [...shards.keys()],
    // the snippet of `text` for hits of `surfaces` (what a result shows; for the tests)
    snippet: (text, surfaces) => snippet(text, spansOf(text, new Set(surfaces))),
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
