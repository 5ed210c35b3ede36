/* Live pages: one EventSource per page; each message is copied into the Store with id
   "live-status" (when the page has one), which triggers that page's Dash callbacks.
   EventSource reconnects by itself after any outage; a watchdog marks the status stale
   when no message arrived for a while, and reloads the page after a deploy and when the
   caller's scope is no longer the one the page was drawn for (the anchor's data-scope,
   else the first one pushed; dashboard/live_push.py re-resolves it every 30 s).
   Messages are coalesced: at most one change a Store update every GAP_MS, carrying the
   latest message (each one holds the whole live state, so nothing is lost). A page short
   of CPU otherwise queued one Dash update per message and fell ever further behind, its
   heap growing with the queue (issue #5, bench/wall_heap.py). Leading edge: a change
   after a quiet spell goes to Dash at once, in the message's own task (a timer, even of
   0 ms, waited behind the page's other tasks); only a burst's later messages wait. A
   ping (same version, no new ticker) opens no gap, so it never holds back the change
   that follows it; pings come only in quiet spells, every few seconds
   (dashboard/live_push.py, issue #21). */
(function () {
  "use strict";
  var STORE_ID = "live-status";
  var GAP_MS = 250;
  var source = null;
  var lastMessage = 0;
  var deployTag = null;
  var scopeTag = null;
  var tickerSeq = 0;
  var pending = null;
  var timer = null;
  var lastChange = 0;  // when the last change went to Dash
  var shown = {};  // the version and ticker it carried

  function push(payload) {
    if (payload.version !== shown.version || payload.ticker_seq !== shown.ticker_seq ||
        payload.connected !== shown.connected) {
      lastChange = Date.now();
      shown = payload;
    }
    if (window.dash_clientside && window.dash_clientside.set_props &&
        document.getElementById(STORE_ID + "-anchor")) {
      window.dash_clientside.set_props(STORE_ID, { data: payload });
    }
  }

  function pushSoon(payload) {
    pending = payload;
    if (timer) { return; }
    var wait = lastChange + GAP_MS - Date.now();
    if (wait <= 0) {
      pending = null;
      push(payload);
      return;
    }
    timer = setTimeout(function () {
      timer = null;
      var latest = pending;
      pending = null;
      push(latest);
    }, wait);
  }

  function connect() {
    if (source) { source.close(); }
    var anchor = document.getElementById(STORE_ID + "-anchor");
    var lang = anchor && anchor.dataset.lang;
    scopeTag = scopeTag || (anchor && anchor.dataset.scope) || null;
    source = new EventSource("/live/stream" + (lang ? "?lang=" + encodeURIComponent(lang) : ""));
    source.onmessage = function (event) {
      lastMessage = Date.now();
      var payload = JSON.parse(event.data);
      if (payload.scope) {
        if (scopeTag && scopeTag !== payload.scope) {
          source.close();
          window.location.reload();
          return;  // the page is drawn again for the new scope; nothing of it before
        }
        scopeTag = payload.scope;
      }
      if (payload.ticker) {
        // kept aside: a quick second message may replace this one before Dash reads it
        window.__ccTicker = payload.ticker;
        tickerSeq += 1;
      }
      payload.ticker_seq = tickerSeq;
      payload.connected = true;
      payload.received = lastMessage;
      if (payload.deploy) {
        if (deployTag && deployTag !== payload.deploy) { window.location.reload(); }
        deployTag = payload.deploy;
      }
      pushSoon(payload);
    };
  }

  setInterval(function () {
    if (!document.getElementById(STORE_ID + "-anchor")) {
      if (source) { source.close(); source = null; }
      return;
    }
    if (!source) { connect(); return; }
    if (Date.now() - lastMessage > 10000) {
      pushSoon({ connected: false, received: lastMessage });
      if (source.readyState === 2) { connect(); }
    }
  }, 1000);
})();
