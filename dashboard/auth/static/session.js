// Loaded by every Dash page. When the server answers 401 (the session ended, the person
// was disabled, the kiosk was revoked) the page reloads, and the reload lands on the
// sign-in page. A ping keeps checking while a page fetches nothing else, so a revoked
// wall screen goes dark within a minute. Network errors never reload: an outage is not
// a sign-out.
(function () {
  "use strict";
  var realFetch = window.fetch.bind(window);
  var reloading = false;

  function check(response) {
    if (response.status === 401 && !reloading) {
      reloading = true;
      window.location.reload();
    }
    return response;
  }

  window.fetch = function () {
    return realFetch.apply(null, arguments).then(check);
  };

  function ping() {
    realFetch("/auth/ping", { credentials: "same-origin", cache: "no-store" })
      .then(check)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { schedule(body && body.recheck); })
      .catch(function () { schedule(null); });
  }

  function schedule(seconds) {
    window.setTimeout(ping, 1000 * (seconds || 20));
  }

  window.setTimeout(ping, 2000);
})();
