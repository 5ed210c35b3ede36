/* Every page: bound the Dash renderer's undo history. The renderer records each input
   change made in the browser (a dcc.Interval tick, a set_props from the live push) in
   `history.past` for its undo/redo toolbar and never drops any, copying the whole list on
   every change. The toolbar is off here, but a wall that runs for weeks kept every old
   push (with its ticker) and every tick: its heap grew ~7 MB an hour (issue #5,
   bench/wall_heap.py). Keep only the last few entries. */
(function () {
  "use strict";
  var KEEP = 10;
  var watched = [];

  function trim(store) {
    var history = store.getState().history;
    var past = history && history.past;
    if (past && past.length > KEEP) { past.splice(0, past.length - KEEP); }
  }

  // the renderer creates its store after the assets load; watch each one once it exists
  setInterval(function () {
    (window.dash_stores || []).forEach(function (store) {
      if (watched.indexOf(store) >= 0) { return; }
      watched.push(store);
      store.subscribe(function () { trim(store); });
      trim(store);
    });
  }, 1000);
})();
