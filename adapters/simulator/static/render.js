/* Rendering of bot messages: WeCom markdown subset and template cards.
 * Everything the bot sent is untrusted text: markdown is HTML-escaped first and
 * only a fixed set of tags is produced; cards are built with textContent. */
(function (global) {
  "use strict";

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Inline markdown on an already escaped string (no raw "<" can remain in it).
  function inline(escaped) {
    var parts = escaped.split("`");
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 1 && i < parts.length - 1) {   // between a pair of backticks
        parts[i] = "<code>" + parts[i] + "</code>";
        continue;
      }
      var p = parts[i];
      p = p.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
      // Links: http(s) only; the URL was escaped with the rest, so it is attribute-safe.
      p = p.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g,
        '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
      // WeCom's only tag: <font color="info|comment|warning">, which arrives escaped here.
      p = p.replace(/&lt;font color=(?:&quot;|&#39;)(info|comment|warning)(?:&quot;|&#39;)&gt;([\s\S]*?)&lt;\/font&gt;/g,
        '<span class="c-$1">$2</span>');
      parts[i] = p;
    }
    if (parts.length % 2 === 0) {   // unmatched final backtick: put it back
      var last = parts.pop();
      parts[parts.length - 1] += "`" + last;
    }
    return parts.join("");
  }

  function renderMarkdown(text) {
    var out = [];
    var lines = String(text).split(/\r?\n/);
    for (var i = 0; i < lines.length; i++) {
      var line = escapeHtml(lines[i]);
      var h = /^(#{1,6})\s+(.*)$/.exec(line);
      var q = /^&gt;\s?(.*)$/.exec(line);
      if (h) {
        out.push({ block: true, html: "<h" + h[1].length + ">" + inline(h[2]) + "</h" + h[1].length + ">" });
      } else if (q) {
        out.push({ block: true, html: "<blockquote>" + inline(q[1]) + "</blockquote>" });
      } else {
        out.push({ block: false, html: inline(line) });
      }
    }
    var html = "";
    for (var j = 0; j < out.length; j++) {
      html += out[j].html;
      // Block elements break the line themselves; plain lines need a <br>.
      if (j < out.length - 1 && !out[j].block) html += "<br>";
    }
    return html;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  /* card: the template_card JSON; view: {state, replace_name, clickable} or null;
   * onClick(key, buttonText) is called for a button press. */
  function renderCard(card, view, onClick) {
    card = card || {};
    var state = view ? view.state : "active";
    var box = el("div", "card");
    box.setAttribute("data-testid", "card");
    box.setAttribute("data-task-id", card.task_id || "");
    box.setAttribute("data-state", state);
    var body = el("div", "card-body");
    box.appendChild(body);
    if (card.source && card.source.desc) body.appendChild(el("div", "card-source", card.source.desc));
    var mt = card.main_title || {};
    if (mt.title) body.appendChild(el("div", "card-title", mt.title));
    if (mt.desc) body.appendChild(el("div", "card-desc", mt.desc));
    var em = card.emphasis_content;
    if (em && (em.title || em.desc)) {
      var emBox = el("div", "card-emphasis");
      if (em.title) emBox.appendChild(el("div", "big", em.title));
      if (em.desc) emBox.appendChild(el("div", "card-desc", em.desc));
      body.appendChild(emBox);
    }
    var qa = card.quote_area;
    if (qa && (qa.title || qa.quote_text)) {
      var quote = el("div", "card-quote");
      if (qa.title) quote.appendChild(el("div", "card-title", qa.title));
      if (qa.quote_text) quote.appendChild(el("div", null, qa.quote_text));
      body.appendChild(quote);
    }
    if (card.sub_title_text) body.appendChild(el("div", "card-sub", card.sub_title_text));
    var rows = (card.horizontal_content_list || []).concat([]);
    (card.vertical_content_list || []).forEach(function (v) {
      rows.push({ keyname: v.title, value: v.desc });
    });
    if (rows.length) {
      var dl = el("dl", "kv");
      rows.forEach(function (r) {
        dl.appendChild(el("dt", null, r.keyname || ""));
        dl.appendChild(el("dd", null, r.value || ""));
      });
      body.appendChild(dl);
    }
    if (state === "replaced_name") {
      var stamp = el("div", "card-stamp", view.replace_name || "已处理");
      stamp.setAttribute("data-testid", "card-stamp");
      box.appendChild(stamp);
    } else if ((card.button_list || []).length) {
      var bar = el("div", "card-buttons");
      card.button_list.forEach(function (b) {
        var btn = el("button", "s" + (b.style || 1), b.text);
        btn.type = "button";
        btn.setAttribute("data-testid", "card-button");
        btn.setAttribute("data-key", b.key || "");
        if (b.type === 1) {
          btn.addEventListener("click", function () {
            if (/^https?:\/\//.test(b.url || "")) window.open(b.url, "_blank", "noopener");
          });
        } else {
          btn.addEventListener("click", function () { onClick(b.key, b.text, btn); });
        }
        bar.appendChild(btn);
      });
      box.appendChild(bar);
    }
    if (state === "replaced_card") box.appendChild(el("div", "card-updated", "卡片已更新"));
    return box;
  }

  /* A DingTalk card-platform card: view = {out_track_id, params, active}. The params
   * are the bot's template variables (title, desc, facts as markdown, note, buttons as
   * a JSON list, status, stamp); a stamp replaces the buttons for everyone. */
  function renderDingCard(view, onClick) {
    var p = (view && view.params) || {};
    var box = el("div", "card dcard");
    box.setAttribute("data-testid", "card");
    box.setAttribute("data-task-id", view ? view.out_track_id : "");
    box.setAttribute("data-state", p.status === "done" ? "stamped" : "active");
    box.appendChild(el("div", "dcard-head", "渠道助手 · 互动卡片"));
    var body = el("div", "card-body");
    if (p.title) body.appendChild(el("div", "card-title", p.title));
    if (p.desc) body.appendChild(el("div", "card-desc", p.desc));
    if (p.facts) {
      var facts = el("div", "md");
      facts.innerHTML = renderMarkdown(String(p.facts).replace(/ {2}\n/g, "\n"));   // escaped inside
      body.appendChild(facts);
    }
    if (p.note) body.appendChild(el("div", "card-sub", p.note));
    box.appendChild(body);
    var buttons = [];
    try { buttons = JSON.parse(p.buttons || "[]"); } catch (e) { buttons = []; }
    if (p.status === "done") {
      var stamp = el("div", "card-stamp", p.stamp || "已处理");
      stamp.setAttribute("data-testid", "card-stamp");
      box.appendChild(stamp);
    } else if (buttons.length) {
      var bar = el("div", "card-buttons");
      buttons.forEach(function (b) {
        var btn = el("button", "s" + (b.style || 1), b.text);
        btn.type = "button";
        btn.setAttribute("data-testid", "card-button");
        btn.setAttribute("data-key", b.id || "");
        btn.addEventListener("click", function () { onClick(b.id, b.text, btn); });
        bar.appendChild(btn);
      });
      box.appendChild(bar);
    }
    return box;
  }

  global.SimRender = { escapeHtml: escapeHtml, renderMarkdown: renderMarkdown, renderCard: renderCard,
    renderDingCard: renderDingCard, el: el };
})(window);
