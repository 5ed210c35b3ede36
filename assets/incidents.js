/* Incident lists and the incident page, in the browser:
   - grid cells: the live SLA countdown (from the deadline, ticking every second), the
     escalation level and the satisfaction score;
   - ccLists: the grid's sort into the URL and the export link; live refresh of the rows;
   - ccIncident: the incident page's SLA clock.
   Times are computed against the server's clock: each row (and the page) carries the
   server's "now" in ms, and the difference to this machine's clock is kept. */
(function () {
  "use strict";
  var React = window.React;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* 3d 04:05:06 (or 04:05:06 under a day); `day` is the unit's text ("d", "天"). */
  function span(ms, day) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    s -= d * 86400;
    var clock = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    return d ? d + day + " " + clock : clock;
  }

  /* The text of the last mark ([from ms, text], in order) reached by `now`, or null. */
  function marked(marks, now) {
    var text = null;
    for (var i = 0; marks && i < marks.length && marks[i][0] <= now; i++) { text = marks[i][1]; }
    return text;
  }

  /* {text, tone} of an open deadline: overdue, due soon (within warnMs) or later; with
     `marks` (a rule in working days: the server's texts, "超期 2 个工作日") the text is
     theirs, the tone still the clock's. */
  function sla(deadlineMs, serverNow, texts, marks) {
    var left = deadlineMs - serverNow;
    var said = marked(marks, serverNow);
    if (left <= 0) {
      return { text: "▲ " + (said || texts.overdue.replace("{t}", span(left, texts.day))), tone: "overdue" };
    }
    var tone = left <= texts.warnMs ? "soon" : "later";
    return { text: (tone === "soon" ? "● " : "") + (said || texts.left.replace("{t}", span(left, texts.day))), tone: tone };
  }

  function useNow() {
    var state = React.useState(Date.now());
    React.useEffect(function () {
      var timer = setInterval(function () { state[1](Date.now()); }, 1000);
      return function () { clearInterval(timer); };
    }, []);
    return state[0];
  }

  var cells = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

  cells.SlaClock = function (props) {
    var data = props.data || {};
    var skew = React.useState(function () { return (data.as_of_ms || Date.now()) - Date.now(); })[0];
    var now = useNow();
    if (!data.open || data.deadline_ms == null) { return null; }
    var shown = sla(data.deadline_ms, now + skew, props, data.wd_marks);
    return React.createElement("span", { className: "cc-sla cc-sla--" + shown.tone }, shown.text);
  };

  cells.EscalationLevel = function (props) {
    if (!props.value) { return null; }
    var level = Math.min(props.value, 3);
    return React.createElement(
      "span", { className: "cc-level cc-level--" + level }, props.level.replace("{n}", props.value)
    );
  };

  cells.Stars = function (props) {
    if (props.value == null || props.value === "") { return null; }
    var n = Number(props.value);
    return React.createElement(
      "span", { className: "cc-stars", title: n + "/5" }, "★★★★★".slice(0, n)
    );
  };

  function withSort(url, model) {
    var params = new URLSearchParams(url.search);
    params.delete("sort");
    params.delete("dir");
    if (model && model.length) {
      params.set("sort", model[0].colId);
      params.set("dir", model[0].sort);
    }
    url.search = params.toString();
    return url;
  }

  /* Per grid: the newest live version pushed (`latest`), whether rows were asked for yet
     (`started`), the version that was newest when the rows on screen were asked for
     (`asked`, undefined: none was known yet), whether a request is in flight (`loading`)
     and whether a push came during it (`pending`). The
     first load and the pushes are ordered by these: a push during a load reloads once the
     load has answered, so a list never stays at the version before the push. */
  var lists = {};
  function list(gridId) {
    lists[gridId] = lists[gridId] || { latest: undefined, asked: undefined, loading: false,
                                       pending: false, started: false, at: 0 };
    return lists[gridId];
  }
  function reload(gridId, state) {
    state.pending = false;
    state.at = Date.now();
    try { window.dash_ag_grid.getApi(gridId).refreshInfiniteCache(); } catch (e) { return false; }
    return true;
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.ccLists = {
    /* The grid asked for rows: its sort goes into the page's URL (no reload) and the
       export link, so a copied link or an export reproduces what is on screen; with
       `gridId`, the request is the start of a load (see `lists`). */
    keepSort: function (request, exportHref, gridId) {
      if (!request) { return window.dash_clientside.no_update; }
      if (gridId) {
        var state = list(gridId);
        state.started = state.loading = true;
        state.asked = state.latest;
      }
      var page = withSort(new URL(window.location.href), request.sortModel);
      if (page.href !== window.location.href) { window.history.replaceState(window.history.state, "", page.href); }
      return withSort(new URL(exportHref, window.location.origin), request.sortModel).href
        .replace(window.location.origin, "");
    },
    /* Rows arrived (`answered`: when the server answered): the loading note goes; a push
       that came while they were being read reloads them now. */
    loaded: function (answered, gridId) {
      if (!answered) { return window.dash_clientside.no_update; }
      var state = list(gridId);
      state.loading = false;
      if (state.pending && state.latest !== state.asked) { reload(gridId, state); }
      return true;
    },
    /* The live push's version, only when it changed (pushes come every few seconds). */
    version: function (status, current) {
      if (!status || status.version == null || status.version === current) {
        return window.dash_clientside.no_update;
      }
      return status.version;
    },
    /* New data arrived (live push): reload the blocks in view when their version is not
       the newest, at most every 3 s (a change held back is applied on a later message,
       one comes every few seconds); during a load, once it has answered (`loaded`). */
    refresh: function (status, gridId) {
      var no = window.dash_clientside.no_update;
      if (!status || status.version == null) { return no; }
      var state = list(gridId);
      state.latest = status.version;
      if (!state.started || state.asked === status.version) { return no; }  // not asked yet, or current
      if (state.loading) { state.pending = true; return no; }
      if (!window.dash_ag_grid || Date.now() - state.at < 3000) { return no; }
      return reload(gridId, state) ? Date.now() : no;
    }
  };

  var skews = {};
  window.dash_clientside.ccIncident = {
    /* The incident page's SLA clock: [text, className], every second. */
    clock: function (_tick, data) {
      if (!data) { return ["", "cc-clock"]; }
      if (!(data.as_of_ms in skews)) { skews[data.as_of_ms] = data.as_of_ms - Date.now(); }
      var serverNow = Date.now() + skews[data.as_of_ms];
      if (data.state !== "open") { return [data.text, "cc-clock cc-clock--" + data.state]; }
      var shown = sla(data.deadline_ms, serverNow, data.texts, data.marks);
      return [shown.text, "cc-clock cc-clock--" + shown.tone];
    }
  };
})();
