/* Chat page logic: pick a platform (WeCom / DingTalk), a user's chat with the bot
 * or a group chat, poll it, send as the user (or as a group member).
 * Talks only to the simulator's JSON API next to this page (no internet). */
(function () {
  "use strict";
  var R = window.SimRender;
  var app = document.getElementById("app");
  var BASE = app.getAttribute("data-base-url");          // e.g. "/sim/"
  var $ = function (id) { return document.getElementById(id); };
  var select = $("user-select"), list = $("user-list"), messages = $("messages");
  var input = $("message-input"), sendBtn = $("send-button"), statusEl = $("status");
  var photoInput = $("photo-input"), photoSample = $("photo-sample");
  var viewer = $("image-viewer"), viewerImg = $("image-viewer-img");
  var PHOTO_TYPES = { "image/jpeg": true, "image/png": true };
  var PHOTO_MAX_BYTES = 10 * 1024 * 1024;               // WeCom's image limit (fake_api.py)

  var ROLE_LABELS = { dealer: "经销商", agent: "代理商", partner: "渠道伙伴", rep: "外勤销售",
    sales: "外勤销售", field: "外勤销售", manager: "渠道经理", director: "销售总监", admin: "管理员" };
  var users = [], byId = {}, current = null, lastId = 0, cardViews = {}, entryEls = {};
  var seen = loadSeen(), pollTimer = null, generation = 0, botShown = 0;
  // The platform played, and the group chat shown (null: current's chat with the bot) with who speaks in it.
  var platform = loadPlatform(), groupChats = [], groupById = {}, currentGroup = null, speaker = null;
  var speakerWrap = $("speaker-wrap"), speakerSelect = $("speaker-select"), mentionBtn = $("mention-bot");
  var groupList = $("group-list");
  var BOT_MENTION = "@渠道助手";

  function loadPlatform() {
    try { return localStorage.getItem("sim.platform") || "wecom"; } catch (e) { return "wecom"; }
  }
  function chatKey() { return currentGroup ? "group:" + currentGroup : current; }
  function seenKey(key) { return platform + ":" + key; }

  function loadSeen() {
    try { return JSON.parse(localStorage.getItem("sim.seen") || "{}"); } catch (e) { return {}; }
  }
  function saveSeen() {
    try { localStorage.setItem("sim.seen", JSON.stringify(seen)); } catch (e) { /* private mode */ }
  }
  function roleLabel(role) { return ROLE_LABELS[role] || role || "其他"; }
  function setStatus(text, isError) {
    statusEl.textContent = text || "";
    statusEl.className = "status" + (isError ? " error" : "");
  }
  function api(path, body) {
    var opts = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    };
    return fetch(BASE + path, opts).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: "HTTP " + r.status }; });
    });
  }
  function fmtTime(t) {
    var d = new Date(t * 1000), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }

  /* ---------------- users ---------------- */
  function groups() {
    var order = [], map = {};
    users.forEach(function (u) {
      if (!map[u.role]) { map[u.role] = []; order.push(u.role); }
      map[u.role].push(u);
    });
    return order.map(function (role) { return { role: role, users: map[role] }; });
  }
  function unread(u) {
    var key = u.chat_id ? "group:" + u.chat_id : u.userid;
    if (key === chatKey()) return 0;
    return Math.max(0, (u.bot_count || 0) - (seen[seenKey(key)] || 0));
  }
  function renderGroups() {
    groupList.textContent = "";
    groupChats.forEach(function (g) {
      var n = unread(g);
      var item = R.el("button", "user-item" + (g.chat_id === currentGroup ? " active" : ""));
      item.type = "button";
      item.setAttribute("data-testid", "group-item");
      item.setAttribute("data-chat-id", g.chat_id);
      item.appendChild(R.el("span", "avatar", "群"));
      var meta = R.el("span", "user-meta");
      meta.appendChild(R.el("div", "user-name", g.title));
      meta.appendChild(R.el("div", "user-org", g.members.map(function (m) {
        return (byId[m] || {}).name || m; }).join("、")));
      item.appendChild(meta);
      var badge = R.el("span", "badge", n ? String(n) : "");
      badge.setAttribute("data-testid", "unread-badge");
      item.appendChild(badge);
      item.addEventListener("click", function () { chooseGroup(g.chat_id); });
      groupList.appendChild(item);
    });
  }
  var usersSig = "";
  function renderUsers() {
    // Rebuilding an open <select> closes it on phones: only rebuild on change.
    var sig = JSON.stringify([platform, current, currentGroup,
      users.map(function (u) { return [u.userid, u.name, u.org, u.role, unread(u)]; }),
      groupChats.map(function (g) { return [g.chat_id, unread(g)]; })]);
    if (sig === usersSig) return;
    usersSig = sig;
    renderGroups();
    var keep = current || select.value;
    select.textContent = ""; list.textContent = "";
    groups().forEach(function (g) {
      var og = document.createElement("optgroup");
      og.label = roleLabel(g.role);
      list.appendChild(R.el("div", "role-group", roleLabel(g.role)));
      g.users.forEach(function (u) {
        var n = unread(u);
        var opt = document.createElement("option");
        opt.value = u.userid;
        opt.textContent = u.name + (u.org ? " · " + u.org : "") + (n ? "  (" + n + " 条未读)" : "");
        og.appendChild(opt);
        var item = R.el("button", "user-item" + (u.userid === current && !currentGroup ? " active" : ""));
        item.type = "button";
        item.setAttribute("data-userid", u.userid);
        item.appendChild(R.el("span", "avatar", (u.name || u.userid).slice(0, 1)));
        var meta = R.el("span", "user-meta");
        meta.appendChild(R.el("div", "user-name", u.name));
        meta.appendChild(R.el("div", "user-org", u.org || u.userid));
        item.appendChild(meta);
        var badge = R.el("span", "badge", n ? String(n) : "");
        badge.setAttribute("data-testid", "unread-badge");
        item.appendChild(badge);
        item.addEventListener("click", function () { choose(u.userid); });
        list.appendChild(item);
      });
      select.appendChild(og);
    });
    if (keep && byId[keep]) select.value = keep;
  }
  function refreshUsers() {
    return api("api/users?platform=" + encodeURIComponent(platform)).then(function (data) {
      users = data.users || [];
      groupChats = data.groups || [];
      groupById = {};
      groupChats.forEach(function (g) { groupById[g.chat_id] = g; });
      var known = null;
      try { known = localStorage.getItem("sim.instance"); } catch (e) { /* ignore */ }
      if (data.instance && known !== data.instance) {
        seen = {};                       // simulator restarted: old read marks mean nothing
        saveSeen();
        try { localStorage.setItem("sim.instance", data.instance); } catch (e) { /* ignore */ }
      }
      byId = {};
      users.forEach(function (u) { byId[u.userid] = u; });
      renderUsers();
    });
  }

  function resetView(emptyText) {
    generation++;                      // drop answers of polls for the previous chat
    lastId = 0; cardViews = {}; entryEls = {}; botShown = 0;
    messages.textContent = "";
    messages.appendChild(R.el("div", "empty", emptyText));
  }
  function choose(userid) {
    if (!byId[userid]) return;
    current = userid;
    currentGroup = null;
    speaker = userid;
    speakerWrap.hidden = true;
    mentionBtn.hidden = true;
    resetView("还没有消息。以 " + byId[userid].name + " 的身份发一条试试。");
    var u = byId[userid];
    $("who").textContent = u.name + (u.org ? " · " + u.org : "") + " (" + u.userid + ")" +
      (platform === "dingtalk" ? " · 钉钉单聊" : "");
    try { localStorage.setItem("sim.user", userid); } catch (e) { /* ignore */ }
    select.value = userid;
    renderUsers();
    poll();
  }
  function chooseGroup(chatId) {
    var g = groupById[chatId];
    if (!g) return;
    currentGroup = chatId;
    speaker = g.members.indexOf(current) >= 0 ? current : g.members[0];
    speakerSelect.textContent = "";
    g.members.forEach(function (m) {
      var opt = document.createElement("option");
      opt.value = m;
      opt.textContent = ((byId[m] || {}).name || m) + " (" + m + ")";
      speakerSelect.appendChild(opt);
    });
    speakerSelect.value = speaker;
    speakerWrap.hidden = false;
    mentionBtn.hidden = false;
    resetView("群里还没有消息。发言时 " + BOT_MENTION + "，机器人才会收到。");
    $("who").textContent = g.title + "（" + g.members.length + " 人）" + (platform === "dingtalk" ? " · 钉钉群" : " · 企业微信群");
    renderUsers();
    poll();
  }
  function switchPlatform(name) {
    if (name === platform && document.body.classList.contains("ready")) return;
    setStatus("切换到" + (name === "dingtalk" ? "钉钉" : "企业微信") + "…");
    api("api/platform", { platform: name }).then(function (res) {
      if (!res.ok) { setStatus(res.error || "切换失败", true); return; }
      platform = name;
      try { localStorage.setItem("sim.platform", name); } catch (e) { /* ignore */ }
      showPlatform();
      setStatus("演示组织已切换到" + (name === "dingtalk" ? "钉钉" : "企业微信"));
      usersSig = "";
      refreshUsers().then(function () {
        if (currentGroup && groupById[currentGroup]) chooseGroup(currentGroup);
        else if (current) choose(current);
      });
    });
  }
  function showPlatform() {
    document.body.classList.add("ready");
    document.body.classList.toggle("dingtalk", platform === "dingtalk");
    Array.prototype.forEach.call(document.querySelectorAll("[data-platform]"), function (b) {
      b.classList.toggle("on", b.getAttribute("data-platform") === platform);
    });
    var ding = platform === "dingtalk";
    // A DingTalk robot gets no locations (check-ins use the page) and the page sends it no pictures.
    $("location-panel").style.display = ding ? "none" : "";
    document.querySelector(".photo-tools").style.display = ding ? "none" : "";
    $("dingtalk-hint").hidden = !ding;
  }

  /* ---------------- conversation ---------------- */
  function nearBottom() {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
  }
  function callbackMeta(cb) {
    if (!cb) return { text: "发送中…", bad: false };
    if (cb.status === 200) return { text: "✓ 已送达", bad: false };
    if (cb.status) return { text: "✗ 回调 HTTP " + cb.status, bad: true };
    return { text: "✗ 回调无应答" + (cb.error ? "：" + cb.error : ""), bad: true };
  }
  function setMeta(entryId, cb) {
    var row = entryEls[entryId];
    if (!row) return;
    var span = row.querySelector(".cb");
    if (!span) return;
    var m = callbackMeta(cb);
    span.textContent = m.text;
    span.className = "cb" + (m.bad ? " bad" : "");
    if (cb && cb.reply_error) span.textContent += "（被动回复无效：" + cb.reply_error + "）";
  }
  /* ---------------- images ---------------- */
  function mediaUrl(mediaId) { return BASE + "media/" + encodeURIComponent(mediaId || ""); }
  function openViewer(src, alt) {
    viewerImg.src = src;
    viewerImg.alt = alt || "图片原图";
    viewer.hidden = false;
  }
  function closeViewer() {
    viewer.hidden = true;
    viewerImg.removeAttribute("src");
  }
  // Thumbnail in the bubble; a click shows it full size (ctrl/middle click: new tab).
  function imageContent(p, alt) {
    var link = R.el("a", "thumb");
    link.href = mediaUrl(p.media_id);
    link.target = "_blank";
    link.rel = "noopener";
    link.title = "查看原图";
    var img = document.createElement("img");
    img.alt = alt || "图片";
    img.src = link.href;
    img.setAttribute("data-testid", "message-image");
    img.addEventListener("load", function () {
      // The row was scrolled into view before the picture had a height.
      if (messages.scrollHeight - messages.scrollTop - messages.clientHeight - img.offsetHeight < 80) {
        messages.scrollTop = messages.scrollHeight;
      }
    });
    link.addEventListener("click", function (ev) {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      openViewer(link.href, img.alt);
    });
    link.appendChild(img);
    return link;
  }
  function botContent(e) {
    var p = e.payload || {};
    if (e.msgtype === "text") {
      var t = R.el("div", null, p.content);
      t.style.whiteSpace = "pre-wrap";
      return t;
    }
    if (e.msgtype === "markdown") {
      var md = R.el("div", "md");
      md.innerHTML = R.renderMarkdown(p.content || "");   // escaped inside renderMarkdown
      return md;
    }
    if (e.msgtype === "image") return imageContent(p, "图片");
    if (e.msgtype === "sampleText") return botContent({ msgtype: "text", payload: { content: p.content } });
    if (e.msgtype === "sampleMarkdown") {
      return botContent({ msgtype: "markdown", payload: { content: String(p.text || "").replace(/ {2}\n/g, "\n") } });
    }
    if (e.msgtype === "file") {
      // A file the bot sent (a spreadsheet): a link that downloads it.
      var a = R.el("a", "file-link", "📎 " + (p.filename || "文件"));
      a.href = mediaUrl(p.media_id);
      a.setAttribute("download", p.filename || "");
      a.setAttribute("data-testid", "message-file");
      return a;
    }
    var pre = R.el("pre", null, e.msgtype + "\n" + JSON.stringify(p, null, 2));
    pre.style.whiteSpace = "pre-wrap";
    return pre;
  }
  function dingCardFor(trackId) {
    var view = cardViews[trackId] || { out_track_id: trackId, params: {} };
    return R.renderDingCard(view, function (key, text, btn) { click(trackId, key, text, btn); });
  }
  function cardFor(e) {
    if (e.msgtype === "card") return dingCardFor((e.payload || {}).out_track_id);
    var view = cardViews[(e.payload || {}).task_id] || null;
    return R.renderCard(view ? view.card : e.payload, view, function (key, text, btn) {
      click(view ? view.task_id : e.payload.task_id, key, text, btn);
    });
  }
  function authorOf(e) { return e.speaker || e.userid; }
  function renderEntry(e) {
    var author = authorOf(e);
    var name = (byId[author] || {}).name || author;
    var row;
    if (e.direction === "user" && e.msgtype === "event") {
      row = R.el("div", "row note");
      row.appendChild(R.el("span", "note-text", "你点击了「" + (e.payload.button_text || e.payload.key) + "」"));
      var meta0 = R.el("span", "meta");
      meta0.appendChild(R.el("span", "cb"));
      row.appendChild(meta0);
    } else {
      var fromUser = e.direction === "user";
      var mine = fromUser && (!currentGroup || author === speaker);
      row = R.el("div", "row " + (mine ? "mine" : "theirs"));
      row.appendChild(R.el("span", "avatar", fromUser ? name.slice(0, 1) : "助"));
      var col = R.el("div", "col");
      if (currentGroup) col.appendChild(R.el("div", "sender-name", fromUser ? name : "渠道助手"));
      var bubble;
      if (!fromUser && (e.msgtype === "template_card" || e.msgtype === "card")) {
        bubble = cardFor(e);
      } else {
        bubble = R.el("div", "bubble" + (e.msgtype === "image" ? " photo" : ""));
        if (fromUser && e.msgtype === "image") {
          bubble.appendChild(imageContent(e.payload, "我发送的图片"));
        } else if (fromUser && e.msgtype === "location") {
          var p = e.payload;
          bubble.appendChild(R.el("div", "loc-pin", "📍 " + (p.label || "位置")));
          bubble.appendChild(R.el("div", "meta", p.lat + ", " + p.lng));
        } else if (fromUser) {
          var t = R.el("div", null, e.payload.content);
          t.style.whiteSpace = "pre-wrap";
          bubble.appendChild(t);
        } else {
          bubble.appendChild(botContent(e));
        }
      }
      if (!fromUser) row.setAttribute("data-testid", "bot-message");
      else row.setAttribute("data-testid", "user-message");
      col.appendChild(bubble);
      var meta = R.el("div", "meta", fmtTime(e.time) + (e.source === "passive" ? " · 被动回复" : "") + " ");
      if (fromUser) meta.appendChild(R.el("span", "cb"));
      col.appendChild(meta);
      row.appendChild(col);
    }
    row.setAttribute("data-entry-id", e.id);
    entryEls[e.id] = row;
    return row;
  }
  function refreshCards(cards) {
    Object.keys(cards).forEach(function (taskId) {
      var view = cards[taskId], old = cardViews[taskId];
      cardViews[taskId] = view;
      if (old && JSON.stringify(old) === JSON.stringify(view)) return;
      var nodes = messages.querySelectorAll('[data-testid="card"]');
      nodes.forEach(function (node) {
        if (node.getAttribute("data-task-id") !== taskId) return;
        var fresh = view.params ? dingCardFor(taskId)
          : R.renderCard(view.card, view, function (key, text, btn) { click(taskId, key, text, btn); });
        node.replaceWith(fresh);
      });
    });
  }
  function poll() {
    clearTimeout(pollTimer);
    if (!current) return;
    var gen = generation, user = current, key = chatKey();
    var where = "api/conversation?platform=" + encodeURIComponent(platform) + "&after=" + lastId +
      (currentGroup ? "&group=" + encodeURIComponent(currentGroup) : "&user=" + encodeURIComponent(user));
    api(where).then(function (data) {
      if (gen !== generation) return;
      var stick = nearBottom();
      refreshCards(data.cards || {});
      var entries = data.entries || [];
      if (entries.length) {
        var empty = messages.querySelector(".empty");
        if (empty) empty.remove();
      }
      entries.forEach(function (e) {
        if (entryEls[e.id]) return;
        messages.appendChild(renderEntry(e));
        if (e.direction === "user") setMeta(e.id, e.callback);
        else botShown++;
      });
      // Everything on screen counts as read (unread = bot messages not yet shown).
      if (botShown > (seen[seenKey(key)] || 0)) {
        seen[seenKey(key)] = botShown;
        saveSeen();
        renderUsers();
      }
      lastId = Math.max(lastId, data.last_id || 0);
      if (entries.length && (stick || entries.some(function (e) { return e.direction === "user"; }))) {
        messages.scrollTop = messages.scrollHeight;
      }
    }).catch(function () {
      setStatus("与模拟器的连接中断，重试中…", true);
    }).then(function () {
      if (gen === generation) pollTimer = setTimeout(poll, 1000);
    });
  }

  /* ---------------- sending ---------------- */
  function report(res) {
    if (res.entry_id) setMeta(res.entry_id, res);
    if (res.ok && res.delivered === false) setStatus(res.note || "已发送（机器人收不到）");
    else if (res.ok) setStatus("回调已送达 (HTTP " + res.status + ")" + (res.reply ? "，收到被动回复" : ""));
    else setStatus(res.error ? "失败：" + res.error + (res.status ? " (HTTP " + res.status + ")" : "")
      : "回调失败 (HTTP " + res.status + ")", true);
    poll();
  }
  function sendText() {
    var text = input.value;
    if (!current || !text.trim()) return;
    input.value = ""; autosize();
    setStatus("发送中…");
    var body = { user: currentGroup ? speaker : current, text: text, platform: platform };
    if (currentGroup) body.group = currentGroup;
    api("api/send", body).then(report, function () {
      setStatus("发送失败：模拟器无应答", true);
    });
    poll();
  }
  function sendLocation() {
    if (!current) return;
    var body = { user: current, lat: $("location-lat").value.trim(), lng: $("location-lng").value.trim(),
      label: $("location-label").value.trim() };
    setStatus("发送位置…");
    api("api/location", body).then(report, function () { setStatus("发送失败", true); });
  }
  /* A photo goes as JSON ({user, data_base64, filename}); the simulator stores it
   * as WeCom media and sends the bot an image message. */
  var photoBusy = false;
  function sendPhoto(user, base64, filename) {
    photoBusy = true;
    photoSample.disabled = true;
    setStatus("发送图片…");
    api("api/image", { user: user, data_base64: base64, filename: filename }).then(report, function () {
      setStatus("发送图片失败：模拟器无应答", true);
    }).then(function () {
      photoBusy = false;
      photoSample.disabled = false;
    });
  }
  function base64Of(dataUrl) { return String(dataUrl).slice(String(dataUrl).indexOf(",") + 1); }
  function sendFile(file) {
    var user = current;
    if (!user || !file || photoBusy) return;
    // The server checks the bytes; this only saves a round trip for the obvious cases.
    if (file.type && !PHOTO_TYPES[file.type]) { setStatus("只能发送 JPG 或 PNG 图片", true); return; }
    if (file.size > PHOTO_MAX_BYTES) { setStatus("图片超过 10MB，企业微信不接受", true); return; }
    var reader = new FileReader();
    reader.onload = function () { sendPhoto(user, base64Of(reader.result), file.name); };
    reader.onerror = function () { setStatus("读取图片失败", true); };
    reader.readAsDataURL(file);
  }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  // A stand-in for a photo from the visit: a coloured card with the time on it.
  function samplePhoto() {
    var now = new Date(), w = 640, h = 480;
    var canvas = document.createElement("canvas");
    canvas.width = w; canvas.height = h;
    var g = canvas.getContext("2d");
    var hue = (now.getMinutes() * 60 + now.getSeconds()) * 7 % 360;
    var grad = g.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, "hsl(" + hue + ", 65%, 58%)");
    grad.addColorStop(1, "hsl(" + (hue + 70) % 360 + ", 65%, 38%)");
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    g.fillStyle = "rgba(255, 255, 255, 0.88)";
    g.fillRect(48, 150, w - 96, 180);
    var date = now.getFullYear() + "-" + pad2(now.getMonth() + 1) + "-" + pad2(now.getDate());
    var time = pad2(now.getHours()) + ":" + pad2(now.getMinutes()) + ":" + pad2(now.getSeconds());
    var who = current && byId[current] ? byId[current].name : "";
    g.fillStyle = "#1f2937";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.font = "bold 64px sans-serif";
    g.fillText(time, w / 2, 215);
    g.font = "26px sans-serif";
    g.fillText(date + " · 示例照片" + (who ? " · " + who : ""), w / 2, 285);
    return { base64: base64Of(canvas.toDataURL("image/png")),
      filename: "sample-" + date.replace(/-/g, "") + "-" + time.replace(/:/g, "") + ".png" };
  }
  function click(taskId, key, text, btn) {
    if (!current) return;
    var who = currentGroup ? speaker : current;
    if (btn) btn.disabled = true;      // the client shows a spinner while it waits
    setStatus((byId[who] || {}).name + " 点击「" + text + "」…");
    api("api/click", { user: who, task_id: taskId, key: key, platform: platform }).then(function (res) {
      if (btn) btn.disabled = false;
      if (platform === "dingtalk") {
        setStatus(res.ok ? (byId[who] || {}).name + " 点击了「" + text + "」（只有自己知道；回复见其单聊或卡片）"
          : "点击失败：" + (res.error || "HTTP " + res.status), !res.ok);
        poll();
        return;
      }
      report(res);
    }, function () { if (btn) btn.disabled = false; setStatus("点击失败", true); });
  }
  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  input.addEventListener("keydown", function (ev) {
    // isComposing: Enter that confirms a Chinese IME candidate must not send.
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      sendText();
    }
  });
  input.addEventListener("input", autosize);
  sendBtn.addEventListener("click", sendText);
  select.addEventListener("change", function () { choose(select.value); });
  speakerSelect.addEventListener("change", function () {
    speaker = speakerSelect.value;
    lastId = 0; entryEls = {}; botShown = 0;        // redraw: whose messages are "mine" changed
    messages.textContent = "";
    poll();
  });
  mentionBtn.addEventListener("click", function () {
    if (input.value.indexOf(BOT_MENTION) < 0) input.value = BOT_MENTION + " " + input.value;
    input.focus();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-platform]"), function (b) {
    b.addEventListener("click", function () { switchPlatform(b.getAttribute("data-platform")); });
  });
  $("location-send").addEventListener("click", sendLocation);
  /* ---------------- fast-forward (timed work demos) ---------------- */
  function showNow(answer) {
    if (answer && answer.ok && $("sim-now")) $("sim-now").textContent = answer.now_local || answer.now;
  }
  if ($("time-travel")) {
    api("api/clock").then(showNow);
    Array.prototype.forEach.call(document.querySelectorAll("#time-travel [data-hours]"), function (b) {
      b.addEventListener("click", function () {
        setStatus("时间快进中…");
        api("api/clock", { advance_hours: Number(b.getAttribute("data-hours")) }).then(function (answer) {
          showNow(answer);
          setStatus(answer.ok ? "已快进，定时任务已运行" : (answer.error || "快进失败"), !answer.ok);
        }, function () { setStatus("快进失败", true); });
      });
    });
  }
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";             // choosing the same file again must fire "change" again
    sendFile(file);
  });
  photoSample.addEventListener("click", function () {
    if (!current || photoBusy) return;
    var photo = samplePhoto();
    sendPhoto(current, photo.base64, photo.filename);
  });
  viewer.addEventListener("click", closeViewer);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !viewer.hidden) closeViewer();
  });
  $("location-here").addEventListener("click", function () {
    // Browsers report WGS-84; WeCom's chat location is believed to be GCJ-02 (see platforms.md).
    if (!navigator.geolocation) { setStatus("此浏览器不支持定位", true); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      $("location-lat").value = pos.coords.latitude.toFixed(6);
      $("location-lng").value = pos.coords.longitude.toFixed(6);
    }, function (err) { setStatus("定位失败：" + err.message, true); });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshUsers(); });

  if (!document.querySelector('[data-platform="' + platform + '"]')) platform = "wecom";
  showPlatform();
  // The organisation follows the page: everyone is reached on the platform shown.
  api("api/platform", { platform: platform }).then(refreshUsers).then(function () {
    var saved = null;
    try { saved = localStorage.getItem("sim.user"); } catch (e) { /* ignore */ }
    var first = saved && byId[saved] ? saved : (users[0] || {}).userid;
    if (first) choose(first);
    else messages.appendChild(R.el("div", "empty", "没有可用的用户。"));
  });
  setInterval(refreshUsers, 2000);
})();
