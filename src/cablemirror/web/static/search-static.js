// cablemirror: search of a static export, in the browser, over the prebuilt index
// in search-index/ (written by `cablemirror export static`).  No server, no
// third-party code, works from a folder opened from disk: index files are scripts
// loaded with <script> tags, each calling back into CMSearch.
//
// The query language is the site's (docs/search.md), parsed here as
// cablemirror.search.query parses it; words are folded like SQLite's unicode61
// tokenizer and stemmed by FTS5's Porter stemmer, as the store's index does, so a
// query finds the cables the live site finds.  docs/static-export.md lists what
// differs (no relevance ranking, no snippets, id:/ref: without fuzzy station names).
(function (root) {
  "use strict";

  var CM = (root.CMSearch = root.CMSearch || {});
  var received = (CM._received = CM._received || {});

  // ---------------------------------------------------------------- index files call these
  CM.meta = function (data) { received.meta = data; };
  CM.x = function (id, data) { received["x" + id] = data; };
  CM.t = function (id, data) { received["t" + id] = data; };
  CM.p = function (id, data) { received["p" + id] = data; };
  CM.d = function (id, data) { received["d" + id] = data; };
  CM.dates = function (created, released) { received.dates = [created, released]; };

  // ---------------------------------------------------------------- numbers (static_codec.py)
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var VALUE = new Int16Array(128).fill(-1);
  for (var ai = 0; ai < ALPHABET.length; ai++) VALUE[ALPHABET.charCodeAt(ai)] = ai;

  function Reader(text) { this.s = text; this.i = 0; }
  Reader.prototype.more = function () { return this.i < this.s.length; };
  Reader.prototype.next = function () {
    var s = this.s, i = this.i, v = 0, mul = 1, d;
    for (;;) {
      if (i >= s.length) throw new Error("a number is cut off in the index");
      d = VALUE[s.charCodeAt(i++)];
      if (d === undefined || d < 0) throw new Error("not an index number");
      v += (d & 31) * mul;
      if (!(d & 32)) break;
      mul *= 32;
    }
    this.i = i;
    return v;
  };

  function decodePostings(text) {
    var out = [];
    if (text.charAt(0) === "!") {
      for (var k = 1; k < text.length; k++) {
        var b = VALUE[text.charCodeAt(k)];
        for (var bit = 0; bit < 6; bit++) if (b & (1 << bit)) out.push(6 * (k - 1) + bit);
      }
      return Int32Array.from(out);
    }
    var r = new Reader(text), prev = -1;
    while (r.more()) {
      var code = r.next(), d = prev + 1 + Math.floor(code / 2);
      if (code % 2) {
        var extra = r.next() + 1;
        for (var j = 0; j <= extra; j++) out.push(d + j);
        prev = d + extra;
      } else {
        out.push(d);
        prev = d;
      }
    }
    return Int32Array.from(out);
  }

  // Positions of a term in the documents of `wanted` (sorted), from its positions text
  // (one entry per document of `docs`, the term's posting list).
  function positionsIn(docs, text, wanted) {
    var r = new Reader(text), out = new Map(), w = 0;
    for (var k = 0; k < docs.length && w < wanted.length; k++) {
      var n = r.next(), d = docs[k];
      while (w < wanted.length && wanted[w] < d) w++;
      if (w < wanted.length && wanted[w] === d) {
        var p = new Int32Array(n), prev = -1;
        for (var j = 0; j < n; j++) { prev = prev + 1 + r.next(); p[j] = prev; }
        out.set(d, p);
      } else {
        for (var s = 0; s < n; s++) r.next();
      }
    }
    return out;
  }

  function decodeDays(text, size) {
    var out = new Int32Array(size), r = new Reader(text), prev = 0, n = 0;
    while (n < size && r.more()) {
      var z = r.next(), v = prev + (z % 2 ? -(z + 1) / 2 : z / 2), rep = r.next() + 1;
      out.fill(v, n, Math.min(size, n + rep));
      n += rep;
      prev = v;
    }
    return out;
  }

  // ---------------------------------------------------------------- sets of documents
  var EMPTY = new Int32Array(0);

  function intersect(a, b) {
    if (a.length > b.length) { var t = a; a = b; b = t; }
    var out = new Int32Array(a.length), n = 0, j = 0;
    for (var i = 0; i < a.length && j < b.length; i++) {
      var x = a[i];
      if (b[j] < x) {  // gallop: b may be much longer
        var step = 1, lo = j;
        while (lo + step < b.length && b[lo + step] < x) { lo += step; step *= 2; }
        var hi = Math.min(b.length, lo + step + 1);
        while (lo < hi) { var mid = (lo + hi) >> 1; if (b[mid] < x) lo = mid + 1; else hi = mid; }
        j = lo;
      }
      if (j < b.length && b[j] === x) out[n++] = x;
    }
    return out.subarray(0, n);
  }

  function union(a, b) {
    var out = new Int32Array(a.length + b.length), n = 0, i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) out[n++] = a[i++];
      else if (a[i] > b[j]) out[n++] = b[j++];
      else { out[n++] = a[i++]; j++; }
    }
    while (i < a.length) out[n++] = a[i++];
    while (j < b.length) out[n++] = b[j++];
    return out.subarray(0, n);
  }

  function unionAll(lists, size) {
    if (lists.length === 0) return EMPTY;
    if (lists.length === 1) return lists[0];
    var total = 0;
    lists.forEach(function (l) { total += l.length; });
    if (lists.length > 8 && total > size / 16) {
      var seen = new Uint8Array(size);
      lists.forEach(function (l) { for (var i = 0; i < l.length; i++) seen[l[i]] = 1; });
      var out = [];
      for (var d = 0; d < size; d++) if (seen[d]) out.push(d);
      return Int32Array.from(out);
    }
    var acc = lists[0];
    for (var k = 1; k < lists.length; k++) acc = union(acc, lists[k]);
    return acc;
  }

  function difference(a, b) {
    var out = new Int32Array(a.length), n = 0, j = 0;
    for (var i = 0; i < a.length; i++) {
      while (j < b.length && b[j] < a[i]) j++;
      if (j >= b.length || b[j] !== a[i]) out[n++] = a[i];
    }
    return out.subarray(0, n);
  }

  // ---------------------------------------------------------------- words (search/text.py)
  // A word is a run of letters, digits and private-use characters; the combining
  // accents of Latin letters are dropped, everything else separates.  Letters are
  // case-folded one at a time, and accents removed where the bare letter is ASCII.
  var WORD_CHAR = /[\p{L}\p{N}\p{Co}]/u;
  var COMBINING = /\p{Mn}/gu;
  var IN_WORD_MARKS = [[0x300, 0x304], [0x306, 0x30c], [0x30f, 0x30f], [0x311, 0x311], [0x31b, 0x31b],
    [0x323, 0x328], [0x32d, 0x32e], [0x330, 0x331]];
  // Python's casefold() where it differs from lower case by one character.
  var CASEFOLD = { 0xb5: 0x3bc, 0x17f: 0x73, 0x345: 0x3b9, 0x3c2: 0x3c3, 0x3d0: 0x3b2, 0x3d1: 0x3b8,
    0x3d5: 0x3c6, 0x3d6: 0x3c0, 0x3f0: 0x3ba, 0x3f1: 0x3c1, 0x3f5: 0x3b5, 0x1c80: 0x432, 0x1c81: 0x434,
    0x1c82: 0x43e, 0x1c83: 0x441, 0x1c84: 0x442, 0x1c85: 0x442, 0x1c86: 0x44a, 0x1c87: 0x463,
    0x1c88: 0xa64b, 0x1e9b: 0x1e61, 0x1fbe: 0x3b9 };

  function casefoldCode(cp) {
    if (CASEFOLD[cp] !== undefined) return CASEFOLD[cp];
    if (cp >= 0x13a0 && cp <= 0x13f5) return cp;  // Cherokee folds to its capitals
    if (cp >= 0x13f8 && cp <= 0x13fd) return cp - 8;
    if (cp >= 0xab70 && cp <= 0xabbf) return cp - 0xab70 + 0x13a0;
    return -1;
  }

  function inWordMark(cp) {
    for (var i = 0; i < IN_WORD_MARKS.length; i++) if (cp >= IN_WORD_MARKS[i][0] && cp <= IN_WORD_MARKS[i][1]) return true;
    return false;
  }

  var foldCache = new Map();
  function foldChar(ch) {
    var hit = foldCache.get(ch);
    if (hit !== undefined) return hit;
    var cp = ch.codePointAt(0), folded;
    var cf = casefoldCode(cp);
    if (cf >= 0) folded = String.fromCodePoint(cf);
    else {
      folded = ch.toLowerCase();
      if (Array.from(folded).length !== 1) folded = Array.from(folded.normalize("NFD"))[0];
    }
    if (!(folded === "\u01e0" || folded === "\u01e1" || ch === "\u01e0" || ch === "\u01e1")) {
      var bare = folded.normalize("NFD").replace(COMBINING, "");
      if (bare.length === 1 && bare.charCodeAt(0) < 128) folded = bare;
    }
    foldCache.set(ch, folded);
    return folded;
  }

  function words(text) {
    var out = [], cur = "";
    for (var ch of text) {
      var c = ch.charCodeAt(0);
      if (c < 128) {
        if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122)) cur += ch;
        else if (c >= 65 && c <= 90) cur += String.fromCharCode(c + 32);
        else if (cur) { out.push(cur); cur = ""; }
      } else if (WORD_CHAR.test(ch)) {
        cur += foldChar(ch);
      } else if (inWordMark(ch.codePointAt(0))) {
        // dropped, the word goes on
      } else if (cur) {
        out.push(cur);
        cur = "";
      }
    }
    if (cur) out.push(cur);
    return out;
  }

  // ---------------------------------------------------------------- stems (search/porter.py)
  var encoder = new TextEncoder(), decoder = new TextDecoder();
  function isV(c, y) { return c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || (y && c === 121); }
  function gobbleVC(w, start, n, prevCons) {
    var cons = prevCons, i = 0, len = n - start;
    while (i < len) { cons = !isV(w[start + i], cons); if (!cons) break; i++; }
    i++;
    while (i < len) { cons = !isV(w[start + i], cons); if (cons) return i + 1; i++; }
    return 0;
  }
  function mGt0(w, n) { return gobbleVC(w, 0, n, false) !== 0; }
  function mGt1(w, n) { var k = gobbleVC(w, 0, n, false); return k !== 0 && gobbleVC(w, k, n, true) !== 0; }
  function mEq1(w, n) { var k = gobbleVC(w, 0, n, false); return k !== 0 && gobbleVC(w, k, n, true) === 0; }
  function oStar(w, n) {
    if (n < 1) return false;
    var last = w[n - 1];
    if (last === 119 || last === 120 || last === 121) return false;
    var mask = 0, cons = false;
    for (var i = 0; i < n; i++) { cons = !isV(w[i], cons); mask = ((mask << 1) + (cons ? 1 : 0)) & 0xffff; }
    return (mask & 7) === 5;
  }
  function hasVowel(w, n) { for (var i = 0; i < n; i++) if (isV(w[i], i > 0)) return true; return false; }
  function mGt1ST(w, n) { return n > 0 && (w[n - 1] === 115 || w[n - 1] === 116) && mGt1(w, n); }

  // (suffix, replacement) pairs, or bare suffixes removed; `condOf(suffix)` gives the
  // condition on the stem.
  function rules(list, condOf) {
    return list.map(function (r) {
      var s = typeof r === "string" ? r : r[0];
      return { s: Array.from(encoder.encode(s)), r: Array.from(encoder.encode(typeof r === "string" ? "" : r[1])),
        c: condOf(s) };
    });
  }
  function always(f) { return function () { return f; }; }
  var STEP2 = rules([["ational", "ate"], ["tional", "tion"], ["enci", "ence"], ["anci", "ance"], ["izer", "ize"],
    ["logi", "log"], ["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"],
    ["ization", "ize"], ["ation", "ate"], ["ator", "ate"], ["alism", "al"], ["iveness", "ive"], ["fulness", "ful"],
    ["ousness", "ous"], ["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]], always(mGt0));
  var STEP3 = rules([["ical", "ic"], ["ness", ""], ["icate", "ic"], ["iciti", "ic"], ["ful", ""], ["ative", ""],
    ["alize", "al"]], always(mGt0));
  var STEP4 = rules(["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize"], function (s) { return s === "ion" ? mGt1ST : mGt1; });

  function endsWith(w, n, s) {
    if (n <= s.length) return false;
    for (var i = 0; i < s.length; i++) if (w[n - s.length + i] !== s[i]) return false;
    return true;
  }
  // FTS5 switches on the second-last byte, then tries that case's suffixes in order.
  function apply(w, n, table) {
    if (n < 2) return n;
    var key = w[n - 2];
    for (var i = 0; i < table.length; i++) {
      var rule = table[i];
      if (rule.s[rule.s.length - 2] !== key || !endsWith(w, n, rule.s)) continue;
      var stemLen = n - rule.s.length;
      if (!rule.c(w, stemLen)) return n;
      w.length = stemLen;
      for (var k = 0; k < rule.r.length; k++) w.push(rule.r[k]);
      return w.length;
    }
    return n;
  }

  function stemBytes(w) {
    var n = w.length;
    if (n > 64 || n < 3) return w;
    w = w.slice();
    // Step 1a.
    if (w[n - 1] === 115) {
      if (w[n - 2] === 101) {
        if ((n > 4 && w[n - 4] === 115 && w[n - 3] === 115) || (n > 3 && w[n - 3] === 105)) n -= 2;
        else n -= 1;
      } else if (w[n - 2] !== 115) n -= 1;
    }
    w.length = n;
    // Step 1b.
    var removed = false;
    if (n >= 2) {
      if (w[n - 2] === 101) {
        if (endsWith(w, n, [101, 101, 100])) { if (mGt0(w, n - 3)) n -= 1; }
        else if (endsWith(w, n, [101, 100])) { if (hasVowel(w, n - 2)) { n -= 2; removed = true; } }
      } else if (w[n - 2] === 110) {
        if (endsWith(w, n, [105, 110, 103]) && hasVowel(w, n - 3)) { n -= 3; removed = true; }
      }
    }
    w.length = n;
    if (removed) {
      var replaced = false;
      if (n >= 2) {
        var pairs = [[[97, 116], [97, 116, 101]], [[98, 108], [98, 108, 101]], [[105, 122], [105, 122, 101]]];
        for (var pi = 0; pi < pairs.length; pi++) {
          if (endsWith(w, n, pairs[pi][0])) { w.length = n - 2; w.push.apply(w, pairs[pi][1]); n = w.length; replaced = true; break; }
        }
      }
      if (!replaced) {
        var c = w[n - 1], before = n >= 2 ? w[n - 2] : -1;
        if (!isV(c, false) && c !== 108 && c !== 115 && c !== 122 && c === before) n -= 1;
        else if (mEq1(w, n) && oStar(w, n)) { w.length = n; w.push(101); n += 1; }
      }
    }
    w.length = n;
    // Step 1c.
    if (w[n - 1] === 121 && hasVowel(w, n - 1)) w[n - 1] = 105;
    n = apply(w, n, STEP2); w.length = n;
    n = apply(w, n, STEP3); w.length = n;
    n = apply(w, n, STEP4); w.length = n;
    // Step 5a.
    if (w[n - 1] === 101 && (mGt1(w, n - 1) || (mEq1(w, n - 1) && !oStar(w, n - 1)))) n -= 1;
    // Step 5b.
    if (n > 1 && w[n - 1] === 108 && w[n - 2] === 108 && mGt1(w, n - 1)) n -= 1;
    w.length = n;
    return w;
  }

  var stemCache = new Map();
  function stem(word) {
    var hit = stemCache.get(word);
    if (hit !== undefined) return hit;
    var bytes = Array.from(encoder.encode(word)), out = word;
    if (bytes.length >= 3 && bytes.length <= 64) out = decoder.decode(Uint8Array.from(stemBytes(bytes)));
    stemCache.set(word, out);
    return out;
  }

  // ---------------------------------------------------------------- the query language (search/query.py)
  var QUOTES = "\"\u201c\u201d\u201e\u201f\u00ab\u00bb";
  var MAX_QUERY_LENGTH = 2000, MAX_DEPTH = 32, MIN_PREFIX = 2;
  var FIELD_RE = /^([A-Za-z][A-Za-z0-9_]*)(>=|<=|:|>|<|=)([\s\S]*)$/;
  var EXAMPLES = "for example: harassment \"civil society\" -tag:PGOV origin:almaty from:2005";
  var BOUND_WORDS = ["from", "to"];
  var FIELDS = [
    { name: "origin", kind: "text", example: "origin:\"Embassy Almaty\"", prefix: true, aliases: [] },
    { name: "subject", kind: "text", example: "subject:\"civil society\"", prefix: true, aliases: [] },
    { name: "tag", kind: "keyword", example: "tag:PGOV", prefix: true, aliases: ["tags"], normalize: normalizeTag },
    { name: "class", kind: "keyword", example: "class:secret", prefix: false, aliases: ["classification"],
      normalize: normalizeClassification },
    { name: "caption", kind: "keyword", example: "caption:NODIS", prefix: false, aliases: ["captions"],
      normalize: normalizeTag },
    { name: "date", kind: "date", example: "date:2005-08", prefix: false, aliases: ["created"] },
    { name: "released", kind: "date", example: "released:2011-08", prefix: false, aliases: [] },
    { name: "id", kind: "id", example: "id:05ALMATY2985", prefix: true, aliases: [], normalize: normalizeCableId,
      normalizePrefix: normalizeCableIdPrefix },
    { name: "ref", kind: "id", example: "ref:05ALMATY2985", prefix: true, aliases: ["cites"],
      normalize: normalizeCableId, normalizePrefix: normalizeCableIdPrefix },
  ];
  var FIELD_BY_NAME = {};
  FIELDS.forEach(function (f) { FIELD_BY_NAME[f.name] = f; f.aliases.forEach(function (a) { FIELD_BY_NAME[a] = f; }); });
  var FIELD_NAMES = FIELDS.map(function (f) { return f.name; }).concat(BOUND_WORDS);

  function QueryError(message, position, hint, length) {
    this.message = message;
    this.position = position;
    this.column = position + 1;
    this.hint = hint || "";
    this.length = length || 1;
  }
  QueryError.prototype.toString = function () { return this.message + " (column " + this.column + ")"; };

  function ValueProblem(message) { this.message = message; }

  function isBlank(text, i) {
    var c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if (c >= 0xd800 && c <= 0xdbff) return !(i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff);
    if (c >= 0xdc00 && c <= 0xdfff) return !(i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff);
    return /\s/.test(text.charAt(i)) && c !== 0xfeff;
  }

  function lex(text) {
    var out = [], i = 0, n = text.length;
    while (i < n) {
      var c = text.charAt(i);
      if (isBlank(text, i)) i++;
      else if (c === "(" || c === ")") { out.push({ kind: c, text: c, start: i, end: i + 1 }); i++; }
      else if (QUOTES.indexOf(c) >= 0) {
        var j = i + 1;
        while (j < n && QUOTES.indexOf(text.charAt(j)) < 0) j++;
        if (j >= n) throw new QueryError("this quote is never closed", i, "add a closing \" after the phrase, or remove this one");
        out.push({ kind: "phrase", text: text.slice(i + 1, j), start: i, end: j + 1 });
        i = j + 1;
      } else {
        var k = i;
        while (k < n && !isBlank(text, k) && text.charAt(k) !== "(" && text.charAt(k) !== ")" && QUOTES.indexOf(text.charAt(k)) < 0) k++;
        out.push({ kind: "word", text: text.slice(i, k), start: i, end: k });
        i = k;
      }
    }
    return out;
  }

  function clean(raw) {
    var value = raw.trim().split(/\s+/).join(" ");
    if (!value) throw new ValueProblem("the value is empty");
    for (var i = 0; i < value.length; i++) {
      if (QUOTES.indexOf(value.charAt(i)) >= 0) throw new ValueProblem("a value cannot contain quote marks");
      if (isBlank(value, i) && value.charAt(i) !== " ") throw new ValueProblem("a value cannot contain control characters");
    }
    return value;
  }
  function normalizeTag(raw) {
    var value = clean(raw).toUpperCase();
    if (value.indexOf(" ") >= 0) throw new ValueProblem("'" + raw + "' is not one tag: a tag is one word, like PGOV (write tag:A tag:B for two)");
    return value;
  }
  var CLASSIFICATIONS = ["UNCLASSIFIED", "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "LIMITED OFFICIAL USE", "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN", "SECRET", "SECRET//NOFORN"];
  var LEVELS = ["UNCLASSIFIED", "LIMITED OFFICIAL USE", "CONFIDENTIAL", "SECRET"];
  var CONTROLS = ["NOFORN", "FOR OFFICIAL USE ONLY"];
  var CLASS_ALIASES = { "FOUO": "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "UNCLASSIFIED//FOUO": "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "LOU": "LIMITED OFFICIAL USE", "LIMITED": "LIMITED OFFICIAL USE", "NF": "NOFORN" };
  function normalizeClassification(raw) {
    var value = clean(raw).toUpperCase().replace(/[\s_-]+/g, " ").trim().replace(/\s*\/+\s*/g, "//");
    value = CLASS_ALIASES[value] || value;
    if (CLASSIFICATIONS.indexOf(value) >= 0 || LEVELS.indexOf(value) >= 0 || CONTROLS.indexOf(value) >= 0) return value;
    throw new ValueProblem("'" + raw + "' is not a classification of the release: use unclassified, limited official use, " +
      "confidential, secret, noforn, fouo, or a full marking like \"secret//noforn\"");
  }
  function expandClassification(value) {
    if (LEVELS.indexOf(value) >= 0) return CLASSIFICATIONS.filter(function (c) { return c.split("//")[0] === value; });
    if (CONTROLS.indexOf(value) >= 0) return CLASSIFICATIONS.filter(function (c) { return c.slice(-value.length - 2) === "//" + value; });
    return [value];
  }
  function idValue(raw, what) {
    var value = clean(raw).split(" ").join("").toUpperCase();
    if (!/^[A-Z0-9]+$/.test(value)) throw new ValueProblem("'" + raw + "' is not " + what + ": ids are letters and digits, like 05ALMATY2985");
    return value;
  }
  function normalizeCableId(raw) {
    var value = idValue(raw, "a cable id"), m = /^(\d{2})([A-Z]+)0+(\d+)$/.exec(value);
    return m ? m[1] + m[2] + m[3] : value;
  }
  function normalizeCableIdPrefix(raw) { return idValue(raw, "the start of a cable id"); }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];
  function daysIn(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function iso(y, m, d) { return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" + String(d).padStart(2, "0"); }
  function period(text) {
    var m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/.exec(text.trim());
    if (!m) throw new ValueProblem("'" + text + "' is not a date: write a year (2005), a month (2005-08) or a day (2005-08-18)");
    var y = +m[1];
    if (y < 1000) throw new ValueProblem("'" + text + "': the year must have four digits");
    if (m[2] === undefined) return [iso(y, 1, 1), iso(y, 12, 31)];
    var mo = +m[2];
    if (mo < 1 || mo > 12) throw new ValueProblem("'" + text + "': there is no month " + mo + " (months are 01 to 12)");
    var last = daysIn(y, mo);
    if (m[3] === undefined) return [iso(y, mo, 1), iso(y, mo, last)];
    var d = +m[3];
    if (d < 1 || d > last) throw new ValueProblem("'" + text + "': " + MONTHS[mo - 1] + " " + y + " has " + last + " days");
    return [iso(y, mo, d), iso(y, mo, d)];
  }
  function shiftDay(isoDay, k) {
    var p = isoDay.split("-"), t = new Date(Date.UTC(+p[0], +p[1] - 1, +p[2]) + k * 86400000);
    var y = t.getUTCFullYear();
    if (y < 1 || y > 9999) return null;
    return iso(y, t.getUTCMonth() + 1, t.getUTCDate());
  }

  function suggest(name) {
    var best = null, bestD = 3;
    FIELD_NAMES.concat(Object.keys(FIELD_BY_NAME)).forEach(function (cand) {
      var d = editDistance(name, cand);
      if (d < bestD) { bestD = d; best = cand; }
    });
    return best;
  }
  function editDistance(a, b) {
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      prev = cur;
    }
    return prev[b.length];
  }

  function conj(nodes) {
    var flat = [];
    nodes.forEach(function (n) { if (n) { if (n.t === "and") flat.push.apply(flat, n.children); else flat.push(n); } });
    if (flat.length === 0) return null;
    return flat.length === 1 ? flat[0] : { t: "and", children: flat };
  }
  function disj(nodes) {
    var flat = [];
    nodes.forEach(function (n) { if (n) { if (n.t === "or") flat.push.apply(flat, n.children); else flat.push(n); } });
    if (flat.length === 0) return null;
    return flat.length === 1 ? flat[0] : { t: "or", children: flat };
  }
  function negate(n) { if (!n) return null; return n.t === "not" ? n.child : { t: "not", child: n }; }

  function Parser(text, stopwords) {
    this.text = text;
    this.toks = lex(text);
    this.i = 0;
    this.ignored = [];
    this.ctx = null;
    this.stop = stopwords;
  }
  Parser.prototype.peek = function () { return this.i < this.toks.length ? this.toks[this.i] : null; };
  Parser.prototype.next = function () { return this.toks[this.i++]; };
  function isOp(tok) { for (var k = 1; k < arguments.length; k++) if (tok && tok.kind === "word" && tok.text === arguments[k]) return true; return false; }
  Parser.prototype.endsOperand = function (tok) { return !tok || tok.kind === ")" || isOp(tok, "OR", "AND"); };

  Parser.prototype.sequence = function (opener, depth) {
    var items = [], operands = 0;
    for (;;) {
      var tok = this.peek();
      if (!tok) {
        if (opener) throw new QueryError("this '(' is never closed", opener.start, "add ')' where the group ends, or remove the '('");
        break;
      }
      if (tok.kind === ")") {
        if (opener) break;
        throw new QueryError("this ')' has no matching '('", tok.start, "remove it, or add '(' where the group starts");
      }
      if (isOp(tok, "AND")) {
        if (operands === 0) throw new QueryError("AND needs something before it", tok.start, "remove AND, or add a word before it; words are joined by AND anyway");
        this.next();
        if (this.endsOperand(this.peek())) throw new QueryError("AND needs something after it", tok.start, "add a word after AND, or remove it", 3);
        continue;
      }
      if (isOp(tok, "OR")) throw new QueryError("OR needs something before it", tok.start, "add a word before OR (a OR b), or remove it; lower-case 'or' is searched as a word", 2);
      var start = tok.start, node = this.disjunction(depth);
      operands++;
      if (node) items.push([node, start]);
    }
    this.checkRanges(items);
    return conj(items.map(function (it) { return it[0]; }));
  };

  Parser.prototype.checkRanges = function (items) {
    var acc = {};
    items.forEach(function (it) {
      var parts = it[0].t === "and" ? it[0].children : [it[0]];
      parts.forEach(function (n) {
        if (n.t !== "date") return;
        var a = acc[n.field];
        if (!a) { acc[n.field] = { start: n.start, end: n.end }; return; }
        var start = [a.start, n.start].filter(Boolean).sort().pop() || null;
        var end = [a.end, n.end].filter(Boolean).sort()[0] || null;
        if (start && end && start > end) throw new QueryError("the dates exclude each other: no date is both from " + start + " and to " + end, it[1], "check that from: is before to:");
        acc[n.field] = { start: start, end: end };
      });
    });
  };

  Parser.prototype.disjunction = function (depth) {
    var nodes = [this.unary(depth)];
    while (isOp(this.peek(), "OR")) {
      var op = this.next(), nxt = this.peek();
      if (!nxt || nxt.kind === ")") throw new QueryError("OR needs something after it", op.start, "add a word after OR, or remove it", 2);
      if (isOp(nxt, "OR", "AND")) throw new QueryError("OR is followed by " + nxt.text, nxt.start, "remove one of the two operators", nxt.text.length);
      nodes.push(this.unary(depth));
    }
    return disj(nodes);
  };

  Parser.prototype.unary = function (depth) {
    var tok = this.peek();
    if (depth > MAX_DEPTH) throw new QueryError("the query nests more than " + MAX_DEPTH + " levels deep", tok.start, "remove some parentheses or NOTs");
    if (isOp(tok, "NOT")) {
      this.next();
      if (this.endsOperand(this.peek())) throw new QueryError("NOT needs something after it", tok.start, "write NOT word (or -word), or remove NOT", 3);
      return negate(this.unary(depth + 1));
    }
    if (tok.kind === "word" && tok.text.charAt(0) === "-") return this.minus(depth);
    return this.primary(depth);
  };

  Parser.prototype.minus = function (depth) {
    var tok = this.next();
    if (tok.text.slice(0, 2) === "--") throw new QueryError("two minus signs", tok.start, "write one to exclude: -word", 2);
    if (tok.text === "-") {
      var nxt = this.peek();
      if (nxt && nxt.start === tok.end && (nxt.kind === "phrase" || nxt.kind === "(")) return negate(this.primary(depth + 1));
      throw new QueryError("a lone '-' excludes nothing", tok.start, "write it right against what to exclude (-word, -\"a phrase\", -tag:PGOV), or remove it");
    }
    return negate(this.chunk({ kind: "word", text: tok.text.slice(1), start: tok.start + 1, end: tok.end }, depth + 1));
  };

  Parser.prototype.primary = function (depth) {
    var tok = this.next();
    if (tok.kind === "(") return this.group(tok, depth);
    if (tok.kind === "phrase") return this.phrase(tok);
    if (tok.kind === ")" || isOp(tok, "OR", "AND")) throw new QueryError("unexpected '" + tok.text + "'", tok.start);
    return this.chunk(tok, depth);
  };

  Parser.prototype.group = function (opener, depth) {
    if (depth >= MAX_DEPTH) throw new QueryError("the query nests more than " + MAX_DEPTH + " levels deep", opener.start, "remove some parentheses");
    var nxt = this.peek();
    if (nxt && nxt.kind === ")") throw new QueryError("empty parentheses", opener.start, "put words inside them, or remove them", 2);
    var node = this.sequence(opener, depth + 1);
    this.next();
    return node;
  };

  Parser.prototype.splitStar = function (text, start) {
    var core = text.replace(/\*+$/, "");
    if (core.indexOf("*") >= 0) throw new QueryError("'*' can only end a word", start + core.indexOf("*"), "write the start of a word then *, like elect*");
    if (!core && text) throw new QueryError("a lone '*' matches nothing in particular", start, "write the start of a word before it, like elect*");
    return [core, core.length !== text.length];
  };

  Parser.prototype.gluedStar = function (tok) {
    var nxt = this.peek();
    if (!nxt || nxt.kind !== "word" || nxt.start !== tok.end || nxt.text.charAt(0) !== "*") return false;
    if (nxt.text.replace(/\*/g, "")) throw new QueryError("'*' can only end a word", nxt.start, "leave a space after the *, or remove it");
    this.next();
    return true;
  };

  Parser.prototype.phrase = function (tok) {
    var prefix = this.gluedStar(tok);
    if (this.ctx) return this.make(this.ctx[0], this.ctx[1], this.ctx[2], tok.text, prefix, tok.start + 1);
    var ws = words(tok.text);
    if (!ws.length) {
      if (!tok.text.trim()) throw new QueryError("empty quotes", tok.start, "put words between the quotes, or remove them", 2);
      this.ignored.push("\"" + tok.text + "\"");
      return null;
    }
    return this.textNode(ws, prefix, true, tok);
  };

  Parser.prototype.textNode = function (ws, prefix, quoted, tok) {
    if (prefix && ws[ws.length - 1].length < MIN_PREFIX) {
      throw new QueryError("'" + ws[ws.length - 1] + "*' is too short to search for", tok.start, "write at least " + MIN_PREFIX + " letters before the *", tok.end - tok.start);
    }
    if (ws.length === 1) {
      if (!quoted && !prefix && this.stop.has(ws[0])) { this.ignored.push(tok.text); return null; }
      return { t: "term", text: ws[0], prefix: prefix };
    }
    return { t: "phrase", words: ws, prefix: prefix };
  };

  Parser.prototype.chunk = function (tok, depth) {
    var m = FIELD_RE.exec(tok.text);
    if (m) {
      var name = m[1], op = m[2], rest = m[3], lname = name.toLowerCase();
      if (BOUND_WORDS.indexOf(lname) >= 0 || FIELD_BY_NAME[lname]) return this.field(tok, name, op, rest, depth);
      if (!(op === ":" && (rest === "" || rest.charAt(0) === "/"))) {
        var s = suggest(lname), hint = s ? "did you mean " + s + ":? " : "";
        hint += "Fields are " + FIELD_NAMES.join(", ") + ". To search for the text itself, put it in quotes: \"" + tok.text + "\"";
        throw new QueryError("unknown field '" + name + "'", tok.start, hint, name.length);
      }
    }
    var sp = this.splitStar(tok.text, tok.start), core = sp[0], prefix = sp[1];
    if (this.ctx) return this.make(this.ctx[0], this.ctx[1], this.ctx[2], core, prefix, tok.start);
    var ws = words(core);
    if (!ws.length) { this.ignored.push(tok.text); return null; }
    return this.textNode(ws, prefix, false, tok);
  };

  Parser.prototype.field = function (tok, name, op, rest, depth) {
    var lname = name.toLowerCase(), valuePos = tok.start + name.length + op.length, bound = null, spec;
    if (BOUND_WORDS.indexOf(lname) >= 0) {
      bound = lname;
      spec = FIELD_BY_NAME.date;
      if (op !== ":") throw new QueryError("write " + lname + ": followed by a date", tok.start + name.length, "for example " + lname + ":2005-08");
    } else spec = FIELD_BY_NAME[lname];
    if (rest) {
      var sp = this.splitStar(rest, valuePos);
      return this.make(spec, bound, op, sp[0], sp[1], valuePos);
    }
    var nxt = this.peek(), glued = nxt && nxt.start === tok.end;
    if (nxt && nxt.kind === "phrase") {
      this.next();
      return this.make(spec, bound, op, nxt.text, this.gluedStar(nxt), nxt.start + 1);
    }
    if (nxt && nxt.kind === "(") {
      this.next();
      var saved = this.ctx;
      this.ctx = [spec, bound, op];
      try { return this.group(nxt, depth); } finally { this.ctx = saved; }
    }
    if (nxt && !glued && nxt.kind === "word" && ["OR", "AND", "NOT"].indexOf(nxt.text) < 0 && nxt.text.charAt(0) !== "-" && !FIELD_RE.test(nxt.text)) {
      this.next();
      var sp2 = this.splitStar(nxt.text, nxt.start);
      return this.make(spec, bound, op, sp2[0], sp2[1], nxt.start);
    }
    throw new QueryError(name + op + " needs a value", tok.start, "for example " + spec.example, tok.end - tok.start);
  };

  Parser.prototype.make = function (spec, bound, op, raw, prefix, pos) {
    var shown = bound || spec.name;
    if (spec.kind === "date") return this.makeDate(spec, bound, op, raw, prefix, pos);
    if (prefix && !spec.prefix) throw new QueryError(shown + ": does not take '*'", pos + raw.length, "write the whole value, for example " + spec.example);
    if (op !== ":" && op !== "=") throw new QueryError(shown + " cannot be compared with '" + op + "'", pos - op.length, "only numbers and dates compare; write " + shown + ":value", op.length);
    if (spec.kind === "text") {
      var ws = words(raw);
      if (!ws.length) throw new QueryError(shown + ": needs words to look for", pos, "for example " + spec.example);
      if (prefix && ws[ws.length - 1].length < MIN_PREFIX) throw new QueryError("'" + ws[ws.length - 1] + "*' is too short to search for", pos, "write at least " + MIN_PREFIX + " letters before the *");
      return { t: "field", name: spec.name, value: ws.join(" "), prefix: prefix };
    }
    var normalize = prefix ? (spec.normalizePrefix || spec.normalize) : spec.normalize;
    try {
      return { t: "field", name: spec.name, value: normalize(raw), prefix: prefix };
    } catch (e) {
      if (e instanceof ValueProblem) throw new QueryError(shown + ": " + e.message, pos, "for example " + spec.example, raw.length || 1);
      throw e;
    }
  };

  Parser.prototype.makeDate = function (spec, bound, op, raw, prefix, pos) {
    var shown = bound || spec.name;
    if (prefix) throw new QueryError(shown + ": dates take no '*'", pos + raw.length, shown + ":" + raw + " already covers the whole period");
    var p;
    try { p = period(raw); } catch (e) {
      if (e instanceof ValueProblem) throw new QueryError(shown + ": " + e.message, pos, "for example " + shown + ":2005-08", raw.length || 1);
      throw e;
    }
    var start = null, end = null;
    if (bound === "from" || op === ">=") start = p[0];
    else if (bound === "to" || op === "<=") end = p[1];
    else if (op === ":" || op === "=") { start = p[0]; end = p[1]; }
    else if (op === ">") start = shiftDay(p[1], 1);
    else if (op === "<") end = shiftDay(p[0], -1);
    if (start === null && end === null) throw new QueryError("no date is " + op + " " + raw, pos, "use a later or earlier date");
    return { t: "date", start: start, end: end, field: spec.name };
  };

  // {root, ignored} for a query; throws QueryError.  The empty query has root null.
  function parse(text, stopwords) {
    if (text.length > MAX_QUERY_LENGTH) throw new QueryError("the query is too long (" + text.length + " characters, at most " + MAX_QUERY_LENGTH + ")", MAX_QUERY_LENGTH, "shorten it");
    var stop = new Set(stopwords || []);
    var p = new Parser(text, stop), root = p.sequence(null, 0);
    if (root === null && text.trim()) {
      var first = text.length - text.replace(/^\s+/, "").length;
      var common = p.ignored.filter(function (w) { var ws = words(w); return ws.length && ws.every(function (x) { return stop.has(x); }); });
      if (common.length) {
        var one = common.length === 1;
        throw new QueryError("nothing to search for: " + common.join(", ") + (one ? " is" : " are") + " too common to search on " + (one ? "its" : "their") + " own", first,
          "add a more specific word, or put a word in quotes to search for it anyway (\"" + words(common[0])[0] + "\"); " + EXAMPLES);
      }
      throw new QueryError("nothing to search for: the query has no letters or digits", first, "write words to look for; " + EXAMPLES);
    }
    return { root: root, ignored: p.ignored };
  }

  // ---------------------------------------------------------------- the index
  function Index(load) {
    this.load = load;  // path -> Promise resolved once the file's script has run
    this.files = new Map();
    this.loaded = [];  // paths, in the order they were asked for (for measurements)
    this.postingsCache = new Map();
  }

  Index.prototype.file = function (key, path) {
    var self = this, hit = this.files.get(key);
    if (hit) return hit;
    this.loaded.push(path);
    var promise = this.load(path).then(function () {
      if (!(key in received)) throw new Error("the search index file " + path + " did not load");
      var value = received[key];
      delete received[key];
      return value;
    });
    this.files.set(key, promise);
    return promise;
  };

  Index.prototype.meta = function () {
    var self = this;
    if (!this._meta) {
      this._meta = this.file("meta", "meta.js").then(function (m) {
        m.allDocs = decodePostings(m.all);
        if (self.load.state) self.load.state.build = m.build;  // names this export's files in caches
        return m;
      });
    }
    return this._meta;
  };
  Index.prototype.dir = function (id) { return this.file("x" + id, "x/" + id + ".js"); };
  Index.prototype.shard = function (id) { return this.file("t" + id, "t/" + id + ".js"); };
  Index.prototype.positionShard = function (id) { return this.file("p" + id, "p/" + id + ".js"); };
  Index.prototype.docBlock = function (n) { return this.file("d" + n, "d/" + n + ".js"); };
  Index.prototype.dates = function () {
    var self = this;
    if (!this._dates) {
      this._dates = Promise.all([this.meta(), this.file("dates", "dates.js")]).then(function (r) {
        return { created: decodeDays(r[1][0], r[0].size), released: decodeDays(r[1][1], r[0].size) };
      });
    }
    return this._dates;
  };

  function lastAtMost(list, key) {  // index of the last entry whose first term <= key, or -1
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid][0] <= key) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }

  var hasOwn = Object.prototype.hasOwnProperty;

  // The shard id holding `term` (Promise), or -1.
  Index.prototype.shardOf = function (term) {
    var self = this;
    return this.meta().then(function (m) {
      var i = lastAtMost(m.dirs, term);
      if (i < 0) return -1;
      return self.dir(m.dirs[i][1]).then(function (entries) {
        var j = lastAtMost(entries, term);
        return j < 0 ? -1 : entries[j][1];
      });
    });
  };

  // The posting-list text of `term`, or null (Promise).
  Index.prototype.postingsText = function (term) {
    var self = this;
    return this.shardOf(term).then(function (id) {
      if (id < 0) return null;
      return self.shard(id).then(function (s) { return hasOwn.call(s, term) ? s[term] : null; });
    });
  };

  Index.prototype.docs = function (term) {
    var self = this, hit = this.postingsCache.get(term);
    if (hit) return hit;
    var promise = this.postingsText(term).then(function (text) { return text === null ? EMPTY : decodePostings(text); });
    this.postingsCache.set(term, promise);
    return promise;
  };

  // Every shard id whose range may hold a term starting with `prefix` (Promise).
  Index.prototype.shardsFrom = function (prefix) {
    var self = this;
    return this.meta().then(function (m) {
      var i = Math.max(0, lastAtMost(m.dirs, prefix)), dirs = [];
      for (; i < m.dirs.length; i++) {
        var b = m.dirs[i][0];
        if (b > prefix && b.slice(0, prefix.length) !== prefix) break;
        dirs.push(m.dirs[i][1]);
      }
      return Promise.all(dirs.map(function (d) { return self.dir(d); })).then(function (lists) {
        var ids = [];
        lists.forEach(function (entries) {
          for (var j = Math.max(0, lastAtMost(entries, prefix)); j < entries.length; j++) {
            var b2 = entries[j][0];
            if (b2 > prefix && b2.slice(0, prefix.length) !== prefix) break;
            if (ids.indexOf(entries[j][1]) < 0) ids.push(entries[j][1]);
          }
        });
        return ids;
      });
    });
  };

  // [term, postings text] of every term starting with `prefix` (Promise).
  Index.prototype.termsStarting = function (prefix) {
    var self = this;
    return this.shardsFrom(prefix).then(function (ids) {
      return Promise.all(ids.map(function (id) { return self.shard(id); })).then(function (shards) {
        var out = [];
        shards.forEach(function (s) {
          for (var t in s) if (hasOwn.call(s, t) && t.slice(0, prefix.length) === prefix) out.push([t, s[t]]);
        });
        return out;
      });
    });
  };

  Index.prototype.positionsText = function (term) {
    var self = this;
    return this.shardOf(term).then(function (id) {
      if (id < 0) return "";
      return self.positionShard(id).then(function (s) { return hasOwn.call(s, term) ? s[term] : ""; });
    });
  };

  // ---------------------------------------------------------------- evaluation
  function Evaluator(index, meta) { this.index = index; this.meta = meta; this.size = meta.size; }

  // Documents of one index term, or of every term starting with it.
  Evaluator.prototype.termDocs = function (term, prefix) {
    var self = this;
    if (!prefix) return this.index.docs(term);
    return this.index.termsStarting(term).then(function (pairs) {
      return unionAll(pairs.map(function (p) { return decodePostings(p[1]); }), self.size);
    });
  };

  // A phrase of stemmed words (the last one a prefix when `prefix`), ns "" or "s:".
  Evaluator.prototype.phraseDocs = function (ws, prefix, ns) {
    var self = this, index = this.index;
    var stems = ws.map(function (w) { return ns + stem(w); });
    var lastTerms = prefix ? index.termsStarting(stems[stems.length - 1]) : null;
    var fixed = stems.slice(0, prefix ? -1 : stems.length);
    return Promise.all([Promise.all(fixed.map(function (t) { return index.docs(t); })), lastTerms]).then(function (r) {
      var lists = r[0], pairs = r[1];
      var lastDocs = pairs ? unionAll(pairs.map(function (p) { return decodePostings(p[1]); }), self.size) : null;
      var cand = lists.length ? lists.reduce(intersect) : lastDocs;
      if (lastDocs) cand = intersect(cand, lastDocs);
      if (!cand.length) return EMPTY;
      var uniq = Array.from(new Set(fixed));
      return Promise.all(uniq.map(function (t) {
        return index.positionsText(t).then(function (text) { return index.docs(t).then(function (docs) { return positionsIn(docs, text, cand); }); });
      })).then(function (posMaps) {
        var byTerm = new Map();
        uniq.forEach(function (t, k) { byTerm.set(t, posMaps[k]); });
        if (!pairs) return byTerm;
        return Promise.all(pairs.map(function (p) {
          return index.positionsText(p[0]).then(function (text) { return positionsIn(decodePostings(p[1]), text, cand); });
        })).then(function (maps) {
          var merged = new Map();
          maps.forEach(function (mp) {
            mp.forEach(function (pos, d) { merged.set(d, merged.has(d) ? union(merged.get(d), pos) : pos); });
          });
          byTerm.set("\u0000last", merged);
          return byTerm;
        });
      }).then(function (byTerm) {
        var keys = stems.map(function (t, k) { return prefix && k === stems.length - 1 ? "\u0000last" : t; });
        var out = [];
        for (var c = 0; c < cand.length; c++) {
          var d = cand[c], first = byTerm.get(keys[0]).get(d);
          if (!first) continue;
          var found = false;
          for (var a = 0; a < first.length && !found; a++) {
            var ok = true;
            for (var k = 1; k < keys.length && ok; k++) {
              var pos = byTerm.get(keys[k]).get(d);
              ok = !!pos && contains(pos, first[a] + k);
            }
            found = ok;
          }
          if (found) out.push(d);
        }
        return Int32Array.from(out);
      });
    });
  };

  function contains(sorted, x) {
    var lo = 0, hi = sorted.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (sorted[mid] < x) lo = mid + 1; else hi = mid; }
    return lo < sorted.length && sorted[lo] === x;
  }

  Evaluator.prototype.eval = function (node) {
    var self = this;
    switch (node.t) {
      case "term":
        return this.termDocs(stem(node.text), node.prefix);
      case "phrase":
        return this.phraseDocs(node.words, node.prefix, "");
      case "field":
        return this.field(node);
      case "date":
        return this.index.dates().then(function (dates) { return self.dateDocs(node, dates); });
      case "not":
        return this.eval(node.child).then(function (docs) { return difference(self.meta.allDocs, docs); });
      case "or":
        return Promise.all(node.children.map(function (c) { return self.eval(c); })).then(function (lists) { return unionAll(lists, self.size); });
      case "and":
        var pos = node.children.filter(function (c) { return c.t !== "not"; });
        var neg = node.children.filter(function (c) { return c.t === "not"; });
        return Promise.all([Promise.all(pos.map(function (c) { return self.eval(c); })),
          Promise.all(neg.map(function (c) { return self.eval(c.child); }))]).then(function (r) {
          var acc = r[0].length ? r[0].sort(function (a, b) { return a.length - b.length; }).reduce(intersect) : self.meta.allDocs;
          r[1].forEach(function (ex) { acc = difference(acc, ex); });
          return acc;
        });
    }
    return Promise.reject(new Error("unknown query node " + node.t));
  };

  Evaluator.prototype.field = function (n) {
    var self = this, m = this.meta;
    function byNumber(prefixTerm, matches) {
      var lists = [];
      return Promise.all(matches.map(function (i) { return self.index.docs(prefixTerm + i); })).then(function (ls) { return unionAll(ls, self.size); });
    }
    switch (n.name) {
      case "origin":
        var needle = " " + n.value + (n.prefix ? "" : " "), hits = [];
        m.origins.forEach(function (o, i) { if (o[1] && (" " + o[1] + " ").indexOf(needle) >= 0) hits.push(i); });
        return byNumber("o:", hits);
      case "class":
        var wanted = expandClassification(n.value), cls = [];
        m.classes.forEach(function (c, i) { if (c[1] && wanted.indexOf(c[1]) >= 0) cls.push(i); });
        return byNumber("k:", cls);
      case "subject":
        var ws = n.value.split(" ");
        if (ws.length === 1) return this.termDocs("s:" + stem(ws[0]), n.prefix);
        return this.phraseDocs(ws, n.prefix, "s:");
      case "tag":
        return this.termDocs("t:" + n.value, n.prefix);
      case "caption":
        return this.termDocs("c:" + n.value, n.prefix);
      case "id":
        return this.termDocs("i:" + n.value, n.prefix);
      case "ref":
        return this.termDocs("r:" + n.value, n.prefix);
    }
    return Promise.reject(new Error("the static search cannot search the field " + n.name));
  };

  function dayOf(isoDay) {
    var p = isoDay.split("-");
    return Math.round((Date.UTC(+p[0], +p[1] - 1, +p[2]) - Date.UTC(1900, 0, 1)) / 86400000) + 1;
  }

  Evaluator.prototype.dateDocs = function (n, dates) {
    var days = n.field === "released" ? dates.released : dates.created;
    var lo = n.start ? dayOf(n.start) : 1, hi = n.end ? dayOf(n.end) : Infinity;
    var all = this.meta.allDocs, out = [];
    for (var i = 0; i < all.length; i++) { var d = days[all[i]]; if (d && d >= lo && d <= hi) out.push(all[i]); }
    return Int32Array.from(out);
  };

  // ---------------------------------------------------------------- searching
  var PAGE_SIZE = 20;

  function Engine(load) { this.index = new Index(load); }

  // All matching document numbers, unsorted order (Promise of {docs, ignored, meta}).
  Engine.prototype.match = function (text) {
    var self = this;
    return this.index.meta().then(function (meta) {
      var q = parse(text, meta.stopwords);
      if (!q.root) return { docs: meta.allDocs, ignored: q.ignored, meta: meta, empty: true };
      return new Evaluator(self.index, meta).eval(q.root).then(function (docs) {
        return { docs: docs, ignored: q.ignored, meta: meta, empty: false };
      });
    });
  };

  // Ids of every match (for tests and tools).
  Engine.prototype.ids = function (text) {
    var self = this;
    return this.match(text).then(function (r) { return self.rows(Array.from(r.docs)); }).then(function (rows) {
      return rows.map(function (row) { return row.id; });
    });
  };

  Engine.prototype.rows = function (docs) {
    var self = this;
    return this.index.meta().then(function (meta) {
      var blocks = Array.from(new Set(docs.map(function (d) { return Math.floor(d / meta.block); })));
      return Promise.all(blocks.map(function (b) { return self.index.docBlock(b); })).then(function (lists) {
        var byBlock = new Map();
        blocks.forEach(function (b, k) { byBlock.set(b, lists[k]); });
        return docs.map(function (d) {
          var row = byBlock.get(Math.floor(d / meta.block))[d % meta.block];
          if (!row) return { doc: d, id: "", title: "", created: "", origin: "", classification: "" };
          return { doc: d, id: row[0], title: row[1], created: row[2], origin: row[3] >= 0 ? meta.origins[row[3]][0] : "",
            classification: row[4] >= 0 ? meta.classes[row[4]][0] : "" };
        });
      });
    });
  };

  // One page of results: {total, page, pages, hits, ignored, years} (Promise; rejects with QueryError).
  Engine.prototype.search = function (text, options) {
    var self = this, sort = (options && options.sort) || "-date", page = Math.max(1, (options && options.page) || 1);
    return this.match(text).then(function (r) {
      return self.index.dates().then(function (dates) {
        var docs = Array.from(r.docs), created = dates.created, newest = sort !== "date";
        docs.sort(function (a, b) {
          var da = created[a] || (newest ? -1 : -Infinity), db = created[b] || (newest ? -1 : -Infinity);
          if (da !== db) return newest ? db - da : da - db;
          return newest ? b - a : a - b;
        });
        var years = new Map();
        docs.forEach(function (d) { var y = yearOf(created[d]); if (y) years.set(y, (years.get(y) || 0) + 1); });
        var pages = Math.max(1, Math.ceil(docs.length / PAGE_SIZE));
        var shown = docs.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
        return self.rows(shown).then(function (hits) {
          return { total: docs.length, page: page, pages: pages, hits: hits, ignored: r.ignored, empty: r.empty,
            years: Array.from(years.entries()).sort(function (a, b) { return a[0] - b[0]; }) };
        });
      });
    });
  };

  function yearOf(day) {
    if (!day) return 0;
    return new Date(Date.UTC(1900, 0, 1) + (day - 1) * 86400000).getUTCFullYear();
  }

  CM.Engine = Engine;
  CM.parse = parse;
  CM.words = words;
  CM.stem = stem;
  CM.foldChar = foldChar;
  CM.decodePostings = decodePostings;
  CM.QueryError = QueryError;

  // ---------------------------------------------------------------- the page
  if (typeof document === "undefined") return;

  // Index files as scripts.  Over HTTP, meta.js is always asked afresh and the other
  // files carry its build number: a browser never mixes two exports' files.
  function scriptLoader(base) {
    var state = { build: "" }, http = location.protocol !== "file:";
    var load = function (path) {
      var suffix = !http ? "" : path === "meta.js" ? "?t=" + Date.now() : state.build ? "?v=" + state.build : "";
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = base + path + suffix;
        s.async = true;
        s.onload = function () { s.remove(); resolve(); };
        s.onerror = function () { s.remove(); reject(new Error("cannot load the search index file " + path)); };
        document.head.appendChild(s);
      });
    };
    load.state = state;
    return load;
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function plural(n, one) { return n.toLocaleString("en") + " " + (n === 1 ? one : one + "s"); }

  function pageUrl(q, sort, page) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    if (sort && sort !== "-date") params.set("sort", sort);
    if (page > 1) params.set("page", String(page));
    var s = params.toString();
    return "search.html" + (s ? "?" + s : "");
  }

  function cableUrl(base, id) {
    return base + (/^[A-Za-z0-9]+$/.test(id) ? id : encodeURIComponent(id)) + ".html";
  }

  function start() {
    var box = document.getElementById("static-search");
    if (!box) return;
    var base = box.getAttribute("data-index") || "search-index/";
    var cables = box.getAttribute("data-cables") || "cable/";
    var engine = new Engine(scriptLoader(base));
    CM.page = { engine: engine };
    var params = new URLSearchParams(location.search);
    var q = params.get("q") || "", sort = params.get("sort") === "date" ? "date" : "-date";
    var page = parseInt(params.get("page") || "1", 10) || 1;
    var input = document.getElementById("q"), select = document.getElementById("sort");
    if (input) input.value = q;
    if (select) select.value = sort;
    var quick = document.getElementById("site-q");
    if (quick) quick.value = q;
    box.textContent = "";
    if (!q.trim() && !params.has("q")) {
      box.appendChild(el("p", { "class": "hint" }, ["Type words above: the search runs in your browser, over an index that came with these pages. Nothing is sent anywhere."]));
      return;
    }
    var status = el("p", { "class": "total", role: "status" }, ["Searching…"]);
    box.appendChild(status);
    var t0 = Date.now();
    engine.search(q, { sort: sort, page: page }).then(function (res) {
      box.textContent = "";
      show(box, res, q, sort, cables, Date.now() - t0);
      if (q.trim()) document.title = "Search: " + q + " · " + document.title.split(" · ").pop();
      CM.page.result = res;
    }, function (err) {
      box.textContent = "";
      if (err instanceof QueryError) {
        var div = el("div", { "class": "query-error", id: "query-error", role: "alert" }, [
          el("p", {}, [el("strong", {}, [err.message.charAt(0).toUpperCase() + err.message.slice(1)]), " ", el("span", { "class": "col" }, ["(column " + err.column + ")"])]),
        ]);
        if (err.hint) div.appendChild(el("p", { "class": "hint" }, [err.hint.charAt(0).toUpperCase() + err.hint.slice(1) + "."]));
        box.appendChild(div);
        if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-errormessage", "query-error"); }
      } else {
        box.appendChild(el("p", { "class": "query-error", role: "alert" }, ["The search could not run: " + err.message + "."]));
      }
      CM.page.error = err;
    });
  }

  function show(box, res, q, sort, cables, ms) {
    var layout = el("div", { "class": "results-layout" }), results = el("div", { "class": "results" });
    layout.appendChild(results);
    box.appendChild(layout);
    var first = (res.page - 1) * PAGE_SIZE + 1, last = Math.min(res.total, res.page * PAGE_SIZE);
    var total = el("p", { "class": "total", role: "status" }, [el("strong", {}, [plural(res.total, "cable")])]);
    if (!res.empty) { total.appendChild(document.createTextNode(" match ")); total.appendChild(el("code", { "class": "q" }, [q])); }
    if (res.total > PAGE_SIZE) total.appendChild(document.createTextNode("; " + first.toLocaleString("en") + " to " + last.toLocaleString("en") + " shown"));
    total.appendChild(document.createTextNode(". "));
    total.appendChild(el("span", { "class": "muted" }, ["(" + ms + " ms, " + (sort === "date" ? "oldest" : "newest") + " first)"]));
    results.appendChild(total);
    if (res.ignored.length) results.appendChild(el("p", { "class": "hint" }, ["Left out as too common to search: " + res.ignored.join(", ") + ". Put a word in quotes to search for it anyway."]));
    if (!res.hits.length) {
      if (!res.empty) results.appendChild(el("p", {}, ["Nothing matches. Try fewer words, a prefix (elect*), or OR between alternatives."]));
      return;
    }
    var list = el("ol", { "class": "hits", start: String(first) });
    res.hits.forEach(function (h) {
      var meta = el("p", { "class": "meta" }, [el("span", { "class": "id" }, [h.id]), " · " + h.created + " · " + h.origin + " · "]);
      if (h.classification) meta.appendChild(el("span", { "class": "cls cls-" + h.classification.split("//")[0].split(" ")[0].toLowerCase() }, [h.classification]));
      list.appendChild(el("li", { "class": "hit" }, [
        el("h2", { "class": "hit-title" }, [el("a", { href: cableUrl(cables, h.id) }, [h.title || h.id])]),
        meta,
      ]));
    });
    results.appendChild(list);
    if (res.pages > 1) {
      var ul = el("ul");
      if (res.page > 1) ul.appendChild(el("li", {}, [el("a", { href: pageUrl(q, sort, res.page - 1), rel: "prev" }, ["← Previous"])]));
      ul.appendChild(el("li", {}, [el("a", { href: pageUrl(q, sort, res.page), "aria-current": "page" }, ["Page " + res.page.toLocaleString("en") + " of " + res.pages.toLocaleString("en")])]));
      if (res.page < res.pages) ul.appendChild(el("li", {}, [el("a", { href: pageUrl(q, sort, res.page + 1), rel: "next" }, ["Next →"])]));
      results.appendChild(el("nav", { "class": "pager", "aria-label": "Pages" }, [ul]));
    }
    if (res.years.length > 1) {
      var aside = el("aside", { "class": "facets", "aria-labelledby": "facets-h" }, [el("h2", { id: "facets-h" }, ["Narrow down"])]);
      var ylist = el("ul");
      res.years.slice().reverse().forEach(function (yc) {
        ylist.appendChild(el("li", {}, [el("a", { href: pageUrl((q.trim() ? "(" + q + ") " : "") + "date:" + yc[0], sort, 1) }, [String(yc[0])]), " ",
          el("span", { "class": "count" }, [yc[1].toLocaleString("en")])]));
      });
      aside.appendChild(el("section", { "class": "facet", "aria-labelledby": "facet-year" }, [el("h3", { id: "facet-year" }, ["Year"]), ylist]));
      layout.appendChild(aside);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof window !== "undefined" ? window : globalThis);
