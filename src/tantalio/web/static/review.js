// Media review: blurred previews, reveal one at a time (each reveal is a separate, logged
// request), keyboard categorisation, and bulk categorisation of a PDQ family.
(function () {
  "use strict";
  var csrf = document.querySelector("meta[name='csrf-token']").getAttribute("content");
  var cards = Array.prototype.slice.call(document.querySelectorAll("figure.card"));
  var family = document.querySelector(".whole-family");
  var result = document.querySelector(".cat-result");
  var codes = Array.prototype.map.call(document.querySelectorAll("button.cat"), function (b) {
    return b.getAttribute("data-category");
  });
  var selected = cards.length ? 0 : -1;
  var revealed = null;

  function select(i) {
    if (!cards.length) { return; }
    selected = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (c, j) { c.classList.toggle("selected", j === selected); });
    cards[selected].focus({ preventScroll: false });
  }

  function hide(card) {
    var img = card && card.querySelector("img.thumb");
    if (!img) { return; }
    img.src = img.getAttribute("data-preview");
    img.classList.add("blurred");
    img.classList.remove("revealed");
    if (revealed === card) { revealed = null; }
  }

  function refreshExposure() {
    fetch("/api/me", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) {
        var el = document.getElementById("exposure-count");
        if (me && el && me.exposure_today !== null) { el.textContent = String(me.exposure_today); }
      });
  }

  function reveal(card) {
    var img = card && card.querySelector("img.thumb");
    if (!img) { return; }
    if (revealed && revealed !== card) { hide(revealed); }
    if (revealed === card) { hide(card); return; }
    revealed = card;
    img.onload = function () { if (img.classList.contains("revealed")) { refreshExposure(); } img.onload = null; };
    img.classList.remove("blurred");
    img.classList.add("revealed");
    img.src = img.getAttribute("data-reveal");
  }

  function categorise(card, code) {
    if (!card) { return; }
    var sha = card.getAttribute("data-sha256");
    var fam = card.getAttribute("data-family");
    var url = (family && family.checked && fam)
      ? "/api/families/" + encodeURIComponent(fam) + "/categorisation"
      : "/api/media/" + sha + "/categorisation";
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ category: code })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) { result.textContent = "not saved: " + JSON.stringify(res.body.detail); return; }
      res.body.categorised.forEach(function (s) {
        cards.forEach(function (c) {
          if (c.getAttribute("data-sha256") === s) {
            var rc = c.querySelector(".rc");
            if (rc) { rc.textContent = res.body.category; }
            c.classList.add("done");
          }
        });
      });
      result.textContent = "saved " + res.body.category + " for " + res.body.categorised.length + " item(s)";
      hide(card);
      if (cards.indexOf(card) === selected) { select(selected + 1); }
    }).catch(function (e) { result.textContent = "not saved: " + e.message; });
  }

  cards.forEach(function (card, i) {
    card.addEventListener("click", function (e) {
      if (e.target.tagName === "A") { return; }
      select(i);
      if (e.target.tagName === "IMG" || (e.target.classList && e.target.classList.contains("reveal"))) { reveal(card); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.cat"), function (b) {
    b.addEventListener("click", function () { categorise(cards[selected], b.getAttribute("data-category")); });
  });
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toUpperCase();
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var key = e.key.length === 1 ? e.key.toUpperCase() : e.key;
    if (key === "ArrowRight" || key === "J") { select(selected + 1); }
    else if (key === "ArrowLeft" || key === "K") { select(selected - 1); }
    else if (key === "R" || key === "Enter") { reveal(cards[selected]); }
    else if (key === "Escape") { hide(revealed); }
    else if (key === "F" && family) { family.checked = !family.checked; }
    else if (codes.indexOf(key) >= 0) { categorise(cards[selected], key); }
    else { return; }
    e.preventDefault();
  });
  if (cards.length) { cards[0].classList.add("selected"); }
})();
