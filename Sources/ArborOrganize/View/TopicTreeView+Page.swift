extension TopicTreeView {
  /// The page's style sheet (system fonts only: nothing is fetched).
  static let styleSheet = """
    :root { color-scheme: light dark; --muted: #6b7280; --accent: #2563eb; --line: #d1d5db; }
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
      max-width: 72rem; padding: 0 1rem 3rem; line-height: 1.4; }
    header { position: sticky; top: 0; background: Canvas; padding: .5rem 0; border-bottom: 1px solid var(--line);
      z-index: 1; }
    h1 { font-size: 1.3rem; margin: .3rem 0 .6rem; }
    .controls { display: flex; gap: .5rem; flex-wrap: wrap; }
    #search { flex: 1 1 20rem; font: inherit; padding: .35rem .5rem; }
    button { font: inherit; cursor: pointer; }
    #status { color: var(--muted); margin: .4rem 0 0; font-size: .9rem; }
    ul { list-style: none; margin: 0; padding-left: 1.2rem; }
    #tree > ul { padding-left: 0; }
    .row { display: flex; align-items: baseline; gap: .5rem; padding: .1rem 0; }
    .toggle { border: none; background: none; width: 1.2rem; padding: 0; color: var(--accent); }
    .label { font-weight: 600; cursor: pointer; }
    .size { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
    .size::before { content: "("; } .size::after { content: ")"; }
    .keyphrases { color: var(--muted); font-size: .85rem; font-style: italic; }
    .docs { padding-left: 2.4rem; }
    .doc { font-size: .92rem; padding: .05rem 0; }
    .doc::before { content: "\\2022"; color: var(--muted); margin-right: .4rem; }
    .more { margin: .2rem 0 .3rem 2.4rem; border: 1px solid var(--line); background: none; border-radius: .3rem;
      font-size: .85rem; }
    mark { background: #fde68a; color: inherit; border-radius: .15rem; }
    .unplaced > .row .label { font-style: italic; }

    """

  /// The page's script: builds the tree from the embedded JSON, lazily, and runs the search.
  static let script = #"""
    (function () {
      "use strict";
      var data = JSON.parse(document.getElementById("arbor-data").textContent);
      var nodes = data.nodes, docs = data.docs;
      // Documents shown per list at first and per "Show more": fewer while a search matches many documents,
      // so that a one-letter query does not build thousands of rows.
      var PAGE = 100, SEARCH_PAGE = 50, BROAD_SEARCH_PAGE = 10, BROAD_SEARCH = 1000;
      var treeBox = document.getElementById("tree");
      var statusLine = document.getElementById("status");
      var input = document.getElementById("search");
      var lowerTitles = docs.map(function (d) { return (d[1] || d[0]).toLowerCase(); });
      var query = "", matched = null, matchCount = null, hitCount = 0;
      // A pseudo-node for documents whose path names no node of the tree.
      var unplacedIndex = -1;
      if (data.unplaced.length) {
        unplacedIndex = nodes.length;
        nodes.push({ id: "", label: "Unplaced documents", keys: [], children: [], docs: data.unplaced });
      }
      var top = data.top.slice();
      if (unplacedIndex >= 0) top.push(unplacedIndex);

      function make(tag, className, text) {
        var element = document.createElement(tag);
        if (className) element.className = className;
        if (text !== undefined) element.textContent = text;
        return element;
      }

      // Counts per node (documents in the subtree), memoised; `selected` limits them to search matches.
      function counts(selected) {
        var result = new Array(nodes.length);
        function visit(i) {
          if (result[i] !== undefined) return result[i];
          result[i] = 0;
          var n = nodes[i], total = 0, k;
          for (k = 0; k < n.docs.length; k++) if (!selected || selected[n.docs[k]]) total++;
          for (k = 0; k < n.children.length; k++) total += visit(n.children[k]);
          result[i] = total;
          return total;
        }
        for (var i = 0; i < nodes.length; i++) visit(i);
        return result;
      }
      var documentCount = counts(null);

      // Appends `text` to `parent`, marking each occurrence of the query.
      function appendMarked(parent, text) {
        var lower = text.toLowerCase();
        if (!query || lower.length !== text.length) {
          parent.appendChild(document.createTextNode(text));
          return;
        }
        var at = 0, found;
        while ((found = lower.indexOf(query, at)) >= 0) {
          if (found > at) parent.appendChild(document.createTextNode(text.slice(at, found)));
          parent.appendChild(make("mark", null, text.slice(found, found + query.length)));
          at = found + query.length;
        }
        if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
      }

      function sizeText(i) {
        var n = nodes[i];
        var size = n.size !== undefined ? n.size : String(documentCount[i]);
        return matchCount ? matchCount[i] + " of " + size : size;
      }

      function visibleChildren(i) {
        return nodes[i].children.filter(function (c) { return !matchCount || matchCount[c] > 0; });
      }

      function visibleDocs(i) {
        var list = nodes[i].docs;
        return matched ? list.filter(function (d) { return matched[d]; }) : list;
      }

      function documentList(list) {
        var box = make("div", "doc-box");
        var ul = make("ul", "docs");
        var more = make("button", "more");
        more.type = "button";
        var shown = 0;
        var step = !matched ? PAGE : hitCount > BROAD_SEARCH ? BROAD_SEARCH_PAGE : SEARCH_PAGE;
        function showPage() {
          var end = Math.min(list.length, shown + step);
          for (; shown < end; shown++) {
            var d = docs[list[shown]];
            var li = make("li", "doc");
            li.setAttribute("data-id", d[0]);
            appendMarked(li, d[1] || d[0]);
            ul.appendChild(li);
          }
          var rest = list.length - shown;
          more.hidden = rest <= 0;
          more.textContent = "Show " + Math.min(step, rest) + " more (" + rest + " left)";
        }
        more.addEventListener("click", showPage);
        showPage();
        box.appendChild(ul);
        box.appendChild(more);
        return box;
      }

      // Opening modes: false (just this node), "all" (every branch below, as a search does) and "topics"
      // (Expand all: every node with child topics, and the leaves' documents only in small collections).
      var SMALL_COLLECTION = docs.length <= 2000;
      function opensIn(mode, i) {
        return mode === "all" || (mode === "topics" && (nodes[i].children.length > 0 || SMALL_COLLECTION));
      }

      function nodeBody(i, mode) {
        var box = make("div", "body");
        var kids = visibleChildren(i);
        if (kids.length) {
          var ul = make("ul", "children");
          kids.forEach(function (c) { ul.appendChild(nodeItem(c, mode)); });
          box.appendChild(ul);
        }
        var list = visibleDocs(i);
        if (list.length) box.appendChild(documentList(list));
        return box;
      }

      function nodeItem(i, mode) {
        var n = nodes[i];
        var li = make("li", i === unplacedIndex ? "node unplaced" : "node");
        li.setAttribute("data-id", n.id);
        var row = make("div", "row");
        var hasBody = n.children.length > 0 || n.docs.length > 0;
        var toggle = make("button", "toggle", hasBody ? "\u25b8" : "\u00b7");
        toggle.type = "button";
        toggle.setAttribute("aria-expanded", "false");
        var label = make("span", "label");
        appendMarked(label, n.label);
        row.appendChild(toggle);
        row.appendChild(label);
        row.appendChild(make("span", "size", sizeText(i)));
        if (n.keys.length) row.appendChild(make("span", "keyphrases", n.keys.join("; ")));
        li.appendChild(row);
        var body = null;
        li.arborNode = i;
        li.arborOpen = function (open, mode) {
          if (!hasBody) return;
          if (open && !body) {
            body = nodeBody(i, mode);
            li.appendChild(body);
          } else if (open && mode) {
            body.querySelectorAll(":scope > ul > li.node").forEach(function (c) {
              if (opensIn(mode, c.arborNode)) c.arborOpen(true, mode);
            });
          }
          if (body) body.hidden = !open;
          li.classList.toggle("open", open);
          toggle.textContent = open ? "\u25be" : "\u25b8";
          toggle.setAttribute("aria-expanded", String(open));
        };
        function flip() { li.arborOpen(!li.classList.contains("open"), false); }
        toggle.addEventListener("click", flip);
        label.addEventListener("click", flip);
        if (opensIn(mode, i)) li.arborOpen(true, mode);
        return li;
      }

      function render() {
        var ul = make("ul", "tree");
        top.forEach(function (i) {
          if (!matchCount || matchCount[i] > 0) ul.appendChild(nodeItem(i, matchCount ? "all" : false));
        });
        treeBox.textContent = "";
        treeBox.appendChild(ul);
        var total = docs.length;
        if (matchCount) {
          statusLine.textContent = hitCount + " of " + total + " documents match \u201c" + query + "\u201d";
        } else {
          statusLine.textContent = total + " documents in " + data.topicCount + " topics";
        }
      }

      function search(text) {
        query = text.trim().toLowerCase();
        if (!query) {
          matched = null;
          matchCount = null;
        } else {
          matched = new Uint8Array(docs.length);
          hitCount = 0;
          for (var d = 0; d < docs.length; d++) {
            if (lowerTitles[d].indexOf(query) >= 0) {
              matched[d] = 1;
              hitCount++;
            }
          }
          matchCount = counts(matched);
        }
        render();
      }

      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          search(input.value);
          try {
            history.replaceState(null, "", input.value ? "#q=" + encodeURIComponent(input.value) : "#");
          } catch (e) { /* file:// pages may refuse; the search still works */ }
        }, 150);
      });
      function expandAll() {
        treeBox.querySelectorAll("#tree > ul > li.node").forEach(function (li) {
          if (opensIn("topics", li.arborNode)) li.arborOpen(true, "topics");
        });
      }
      document.getElementById("expand-all").addEventListener("click", expandAll);
      document.getElementById("collapse-all").addEventListener("click", function () {
        treeBox.querySelectorAll("li.node.open").forEach(function (li) { li.arborOpen(false, false); });
      });

      // The address may carry a search (#q=words or ?q=words) and ask for every topic open (expand=all).
      var hashParameters = new URLSearchParams(location.hash.replace(/^#/, ""));
      var queryParameters = new URLSearchParams(location.search);
      input.value = hashParameters.get("q") || queryParameters.get("q") || "";
      search(input.value);
      if (hashParameters.get("expand") === "all" || queryParameters.get("expand") === "all") expandAll();
      document.documentElement.setAttribute("data-ready", "true");
    })();

    """#
}
