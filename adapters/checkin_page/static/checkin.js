/* The check-in page: read a position and post it once. Inside DingTalk the
 * client's own geolocation (dd.device.geolocation.get, GCJ-02) after dd.config;
 * elsewhere the browser's (WGS-84) or typed coordinates. */
(function () {
  "use strict";
  var box = document.getElementById("checkin");
  if (!box) return;
  var token = box.getAttribute("data-token");
  var here = "/checkin/" + encodeURIComponent(token);
  var statusEl = document.getElementById("status");
  var $ = function (id) { return document.getElementById(id); };
  // DingTalk's JSAPI, loaded only inside the DingTalk client (a plain browser never fetches it).
  var DD_JSAPI = "https://g.alicdn.com/dingding/dingtalk-jsapi/3.0.25/dingtalk.open.js";
  var sent = false;

  function say(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "status" + (kind ? " " + kind : "");
  }
  function post(lat, lng, system) {
    if (sent) return;
    say("正在签到…");
    fetch(here, { method: "POST", headers: { "Content-Type": "application/json" },
                  body: JSON.stringify({ lat: lat, lng: lng, coord_system: system }) })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (res.ok) {
          sent = true;
          say("✓ 位置已发送，签到结果请回聊天查看。", "done");
        } else {
          say(res.error || "签到失败", "error");
        }
      }, function () { say("网络错误，请重试。", "error"); });
  }
  function typed() {
    var lat = parseFloat($("lat").value), lng = parseFloat($("lng").value);
    if (!isFinite(lat) || !isFinite(lng)) { say("请输入纬度和经度。", "error"); return; }
    post(lat, lng, $("system").value);
  }
  function inDingTalk() { return /DingTalk/i.test(navigator.userAgent); }
  function withDingTalk(then) {
    var s = document.createElement("script");
    s.src = DD_JSAPI;
    s.onload = function () {
      fetch(here + "/config?url=" + encodeURIComponent(location.href.split("#")[0]))
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.config) window.dd.config(res.config);
          window.dd.ready(then);
          window.dd.error(function (e) { say("钉钉鉴权失败：" + JSON.stringify(e), "error"); });
        });
    };
    s.onerror = function () { say("无法加载钉钉组件，请手动输入位置。", "error"); };
    document.head.appendChild(s);
  }
  function locate() {
    if (inDingTalk()) {
      say("正在定位…");
      withDingTalk(function () {
        window.dd.device.geolocation.get({
          targetAccuracy: 200, coordinate: 1, withReGeocode: false, useCache: false,
          onSuccess: function (r) { post(r.latitude, r.longitude, "gcj02"); },
          onFail: function (e) { say("定位失败：" + JSON.stringify(e), "error"); }
        });
      });
      return;
    }
    if (!navigator.geolocation) { say("此浏览器不能定位，请手动输入位置。", "error"); return; }
    say("正在定位…");
    navigator.geolocation.getCurrentPosition(function (p) {
      post(p.coords.latitude, p.coords.longitude, "wgs84");
    }, function (e) { say("定位失败：" + e.message + "。请手动输入位置。", "error"); },
    { enableHighAccuracy: true, timeout: 15000 });
  }
  $("locate").addEventListener("click", locate);
  $("send").addEventListener("click", typed);
  Array.prototype.forEach.call(document.querySelectorAll(".preset"), function (b) {
    b.addEventListener("click", function () {
      $("lat").value = b.getAttribute("data-lat");
      $("lng").value = b.getAttribute("data-lng");
      $("system").value = "gcj02";
      typed();
    });
  });
})();
