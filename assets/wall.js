/* Wall screen, browser side: rows that do not fit their panel hidden whole (`fit`), the clock, the honest-status banner and the single-flight,
   throttled trigger that asks the server for new data only when the live version or the
   minute changed, the previous update has been rendered and the last request is at least
   `render_every` seconds old; a busy wall asks for an update the server has built
   already. No server round trip per second. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  wall: {
    clock: function (n, config) {
      var now = new Date();
      var opts = { timeZone: config.tz, hour12: false, year: "numeric", month: "2-digit",
                   day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };
      return new Intl.DateTimeFormat(config.lang === "zh" ? "zh-CN" : "en-GB", opts).format(now);
    },
    banner: function (n, status, error, config) {
      var text = config.text;
      var now = Date.now();
      if (!status || !status.received || now - status.received > 10000 || status.connected === false) {
        return [text.disconnected, false];
      }
      if (!status.redis) { return [text.redis_down, false]; }
      var age = status.heartbeat_age === null ? null
        : status.heartbeat_age + (now - status.received) / 1000;
      if (age === null || age > config.stale) {
        return [text.stale.replace("{age}", age === null ? "∞" : Math.round(age)), false];
      }
      if (error) { return [text.error_sql, false]; }
      return ["", true];
    },
    screen: function (n, current) {
      var height = window.innerHeight;
      return height === current ? window.dash_clientside.no_update : height;
    },
    ticker: function (status, n, config) {
      // The ticker arrives with the push (named, personal data already out): render it
      // here, with no round trip; re-render every 10 s so the ages stay true.
      var seq = status && status.ticker_seq;
      if (!window.__ccTicker) { return window.dash_clientside.no_update; }
      if (seq === window._wallTickerSeq && n % 10 !== 0) {
        return window.dash_clientside.no_update;
      }
      window._wallTickerSeq = seq;
      var items = window.__ccTicker;
      var text = config.text, now = Date.now();
      function age(ts) {
        var s = (now - Date.parse(ts)) / 1000;
        if (s < 60) { return text.just_now; }
        if (s < 3600) { return text.ago_min.replace("{n}", Math.floor(s / 60)); }
        return text.ago_hour.replace("{n}", Math.floor(s / 3600));
      }
      function span(cls, value) {
        return { type: "Span", namespace: "dash_html_components",
                 props: { className: "wall-tick__" + cls, children: value || "" } };
      }
      function div(cls, children) {
        return { type: "Div", namespace: "dash_html_components",
                 props: { className: "wall-tick__" + cls, children: children } };
      }
      if (!items.length) {
        return [{ type: "Li", namespace: "dash_html_components",
                  props: { className: "wall-muted", children: text.no_events } }];
      }
      // "town · category · status" (all named on the server), the grid and age below
      return items.slice(0, config.ticker_rows).map(function (item) {
        var line = [];
        [["town", item.town], ["what", item.what], ["status", item.status]].forEach(
          function (part) {
            if (!part[1]) { return; }
            if (line.length) { line.push(" · "); }
            line.push(span(part[0], part[1]));
          });
        return { type: "Li", namespace: "dash_html_components", props: {
          className: "wall-tick wall-fit",
          children: [div("line", line),
                     div("sub", [span("age", age(item.ts)), span("grid", item.grid)])] } };
      });
    },
    urgent: function () {
      // Whether the ticker holds an urgent act not seen before (the first look only
      // learns what is there already).
      var items = window.__ccTicker || [];
      var first = !window._wallUrgentSeen;
      var known = window._wallUrgentSeen = window._wallUrgentSeen || {};
      var fresh = false;
      for (var i = 0; i < items.length; i++) {
        if (!items[i].urgent) { continue; }
        var key = items[i].ts + "|" + items[i].town + "|" + items[i].what;
        if (!known[key]) { known[key] = true; fresh = !first; }
      }
      return fresh;
    },
    trigger: function (status, n, current, rendered, config) {
      // At most one render every config.render_every seconds: the first change after a
      // quiet spell goes at once, later ones wait, and the tick after the interval asks
      // for the newest update the server has already built (status.wall_ready,
      // dashboard/wall_prebuild.py), else for a version config.ready seconds old. The
      // ticker needs none of this: it comes with the push.
      var version = status && status.version !== null && status.version !== undefined
        ? status.version : "none";
      var now = Date.now();
      var seen = window._wallSeen = window._wallSeen || [];  // versions, oldest first
      var last = seen[seen.length - 1];
      // A duty officer's acknowledgement (the push's ticker marks it urgent) is drawn at
      // once, past the throttle: the room is waiting to see it taken in hand; acts are
      // rare, and every wall asks for the same update, rendered once (wall_share).
      var urgent = window.dash_clientside.wall.urgent();
      if (!last || last.version !== version) {
        var quiet = !last || urgent || now - last.at >= config.render_every * 1000;
        seen.push({ version: version, at: now, quiet: quiet });
        if (seen.length > 20) { seen.shift(); }
      }
      var minute = ":" + Math.floor(now / 60000);
      var next = null;
      if (seen[seen.length - 1].quiet) {
        next = version + minute;  // the first change after a quiet spell: at once
      } else if (status && status.wall_ready) {
        next = status.wall_ready;  // busy: the newest update the server has built already
      } else {
        for (var i = seen.length - 1; i >= 0 && next === null; i--) {
          if (now - seen[i].at >= config.ready * 1000) { next = seen[i].version + minute; }
        }
      }
      if (next === null) { return window.dash_clientside.no_update; }
      if (next === current) { return window.dash_clientside.no_update; }
      var sentAt = window._wallSentAt || 0;
      if (current && current !== rendered && now - sentAt < 30000) {
        return window.dash_clientside.no_update;  // single flight: wait for the render
      }
      if (!urgent && now - sentAt < config.render_every * 1000) {
        return window.dash_clientside.no_update;  // throttled: a later tick sends it
      }
      window._wallSentAt = now;
      return next;
    }
  }
});

/* Nothing on the wall is cut off: in each panel, the rows marked `wall-fit` (alerts,
   ticker, ranking and its notes) that do not fit are hidden whole, the last first,
   after every change of the wall's content and every resize. */
(function () {
  "use strict";
  var queued = false;
  function fitPanel(panel) {
    var rows = Array.prototype.slice.call(panel.querySelectorAll(".wall-fit"));
    rows.forEach(function (row) { row.classList.remove("wall-cut"); });
    for (var i = rows.length - 1; i >= 0 && panel.scrollHeight > panel.clientHeight + 1; i--) {
      rows[i].classList.add("wall-cut");
    }
  }
  function fit() {
    queued = false;
    document.querySelectorAll(".wall-panel").forEach(fitPanel);
  }
  function soon() {
    if (!queued) { queued = true; window.requestAnimationFrame(fit); }
  }
  function notClock(record) {
    // the clock changes every second and fits nothing: a fit forces a layout of every
    // panel, a CPU-short screen's time (issue #21)
    var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return !(node && node.closest(".wall-clock"));
  }
  function watch() {
    // the wall may come and go (Dash pages): watch the document, fit only wall panels
    new MutationObserver(function (records) {
      if (records.some(notClock)) { soon(); }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    window.addEventListener("resize", soon);
    soon();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
