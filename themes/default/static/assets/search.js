/*
 * Client-side search for the isms staff site. Progressive enhancement: the
 * search form is rendered with the `hidden` attribute and this script reveals
 * it, so without JavaScript the page simply shows no search box (the full
 * document list at index.html#all-documents is always there).
 *
 * The index comes from search-index.js, a plain script (not JSON, because
 * fetch() is blocked for file:// pages) that sets:
 *
 *   window.ISMS_SEARCH_INDEX = [
 *     { "title": "...", "id": "POL-AC", "url": "docs/POL-AC.html",
 *       "summary": "...", "type": "policy", "text": "lowercased keywords ..." },
 *     ...
 *   ];
 *
 * `url` is relative to the site root; the form's data-root attribute holds
 * the prefix from the current page to that root ("" or "../").
 *
 * Matching: every search term must occur in the title, id, summary, type or
 * text. Ranking: title > id > summary > text, with a bonus for matches at the
 * start of a word and for an exact title or id. At most 20 results are shown.
 *
 * Keyboard: typing searches as you go; Enter searches without leaving the
 * page; ArrowDown moves from the box to the results, ArrowUp/ArrowDown move
 * between results and back to the box; Escape clears the box. Tab works as
 * everywhere else, so there is no focus trap.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 20;
  var form = document.querySelector("form[role='search'][data-root]");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var index = window.ISMS_SEARCH_INDEX;
  if (!form || !input || !results || !Array.isArray(index)) {
    return;
  }
  if (!status) {
    // Older layouts: add the live region the results are announced in.
    status = document.createElement("p");
    status.id = "search-status";
    status.className = "search-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    results.parentNode.insertBefore(status, results);
  }
  var root = form.getAttribute("data-root") || "";
  var timer = null;
  var lastQuery = null;

  function fold(s) {
    return String(s == null ? "" : s)
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "");
  }

  var docs = index.map(function (d) {
    return {
      d: d,
      title: fold(d.title),
      id: fold(d.id),
      summary: fold(d.summary),
      text: fold(d.text) + " " + fold(d.type)
    };
  });

  function termScore(field, term, weight) {
    var at = field.indexOf(term);
    if (at < 0) {
      return 0;
    }
    var wordStart = at === 0 || /[^a-z0-9]/.test(field.charAt(at - 1));
    return weight * (wordStart ? 2 : 1);
  }

  function search(query) {
    var terms = fold(query).split(/\s+/).filter(Boolean);
    if (terms.length === 0) {
      return [];
    }
    var hits = [];
    docs.forEach(function (doc, order) {
      var total = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i];
        var s =
          termScore(doc.title, t, 8) +
          termScore(doc.id, t, 6) +
          termScore(doc.summary, t, 3) +
          termScore(doc.text, t, 1);
        if (s === 0) {
          return; // every term must match somewhere
        }
        total += s;
      }
      var q = terms.join(" ");
      if (doc.title === q || doc.id === q) {
        total += 50;
      }
      hits.push({ doc: doc.d, score: total, order: order });
    });
    hits.sort(function (a, b) {
      return b.score - a.score || a.order - b.order;
    });
    return hits;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text != null) {
      e.textContent = text;
    }
    return e;
  }

  function render(query) {
    var q = query.trim();
    if (q === lastQuery) {
      return;
    }
    lastQuery = q;
    results.textContent = "";
    if (q === "") {
      status.textContent = "";
      return;
    }
    var hits = search(q);
    var shown = hits.slice(0, MAX_RESULTS);
    var n = hits.length;
    var msg = (n === 0 ? "No" : String(n)) + (n === 1 ? " result" : " results") + " for \u201c" + q + "\u201d";
    if (n > MAX_RESULTS) {
      msg += ", showing the first " + MAX_RESULTS;
    }
    if (shown.length > 0) {
      var list = el("ol");
      list.setAttribute("aria-label", "Search results");
      shown.forEach(function (h) {
        var li = el("li");
        var a = el("a", null, h.doc.title);
        a.href = root + h.doc.url;
        li.appendChild(a);
        var meta = [h.doc.id, h.doc.type].filter(Boolean).join(" \u00b7 ");
        if (meta) {
          li.appendChild(el("span", "result-meta", meta));
        }
        if (h.doc.summary) {
          li.appendChild(el("span", "result-summary", h.doc.summary));
        }
        list.appendChild(li);
      });
      results.appendChild(list);
    }
    status.textContent = msg;
  }

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll("a"));
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      render(input.value);
    }, 120);
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    lastQuery = null;
    render(input.value);
  });

  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") {
      var first = links()[0];
      if (first) {
        ev.preventDefault();
        first.focus();
      }
    } else if (ev.key === "Escape" && input.value !== "") {
      ev.preventDefault();
      input.value = "";
      render("");
    }
  });

  results.addEventListener("keydown", function (ev) {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") {
      return;
    }
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (at < 0) {
      return;
    }
    ev.preventDefault();
    if (ev.key === "ArrowDown") {
      (all[at + 1] || all[at]).focus();
    } else if (at === 0) {
      input.focus();
    } else {
      all[at - 1].focus();
    }
  });

  form.hidden = false;

  // A search submitted from another page (or a bookmarked ?q=) runs on load.
  var fromUrl = new URLSearchParams(window.location.search).get("q");
  if (fromUrl) {
    input.value = fromUrl;
    render(fromUrl);
  }
})();
