// Media review: blurred previews, one reveal at a time (the server grants each reveal once and
// revokes the previous one), a family view with context, and keyboard throughout.
(function () {
  "use strict";
  var csrf = document.querySelector("meta[name='csrf-token']").getAttribute("content");
  var result = document.querySelector(".cat-result");
  var codes = Array.prototype.map.call(document.querySelectorAll("button.cat"), function (b) {
    return b.getAttribute("data-category");
  });
  var revealedImg = null;   // the one image shown unblurred, if any

  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") { init.headers["X-CSRF-Token"] = csrf; }
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      if (r.status === 204) { return { ok: true, status: 204, body: null }; }
      return r.json().then(function (b) { return { ok: r.ok, status: r.status, body: b }; },
                           function () { return { ok: r.ok, status: r.status, body: null }; });
    });
  }

  function say(text) { if (result) { result.textContent = text; } }

  function showWelfare(w) {
    var count = document.getElementById("exposure-count");
    if (w && count) { count.textContent = String(w.reveals_today); }
  }

  function refreshWelfare() {
    return api("GET", "/api/welfare").then(function (res) { if (res.ok) { showWelfare(res.body); } return res.body; });
  }

  function preview(sha) { return "/media/" + sha + "/preview"; }

  function hide(img) {
    img = img || revealedImg;
    if (!img) { return; }
    var sha = img.getAttribute("data-sha256");
    img.classList.add("blurred");
    img.classList.remove("revealed");
    if (sha) { img.src = preview(sha); }
    if (revealedImg === img) {
      revealedImg = null;
      api("DELETE", "/api/reveals");
    }
  }

  // Ask the server for a one-time reveal of `sha`, then show it in `img`.
  function reveal(img, sha, confirmed) {
    if (revealedImg && revealedImg !== img) { hide(revealedImg); }
    return api("POST", "/api/reveals", { sha256: sha, confirm_over_limit: Boolean(confirmed) }).then(function (res) {
      if (res.status === 409 && !confirmed) {
        var again = window.confirm(res.body.detail + "\n\nReveal anyway?");
        return again ? reveal(img, sha, true) : null;
      }
      if (!res.ok) { say("not revealed: " + JSON.stringify(res.body && res.body.detail)); return null; }
      revealedImg = img;
      img.setAttribute("data-sha256", sha);
      img.onload = function () { img.onload = null; refreshWelfare(); };
      img.classList.remove("blurred");
      img.classList.add("revealed");
      img.src = res.body.url;
      return res.body;
    });
  }

  function categorise(url, code, onDone) {
    return api("POST", url, { category: code }).then(function (res) {
      if (!res.ok) { say("not saved: " + JSON.stringify(res.body && res.body.detail)); return; }
      say("saved " + res.body.category + " for " + res.body.categorised.length + " item(s)");
      if (onDone) { onDone(res.body); }
    }).catch(function (e) { say("not saved: " + e.message); });
  }

  function typing(e) {
    var tag = (e.target.tagName || "").toUpperCase();
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey;
  }

  function keyOf(e) { return e.key.length === 1 ? e.key.toUpperCase() : e.key; }

  // ---- the review queue and its family view -------------------------------------------------
  var queue = document.getElementById("queue");
  if (queue) {
    var cards = Array.prototype.slice.call(queue.querySelectorAll("figure.card"));
    var selected = cards.length ? 0 : -1;
    var viewer = document.getElementById("viewer");
    var vImg = document.getElementById("viewer-img");
    var vNone = document.getElementById("viewer-none");
    var vPos = document.getElementById("viewer-pos");
    var vState = document.getElementById("viewer-state");
    var vContext = document.getElementById("viewer-context");
    var itemOnly = document.getElementById("viewer-item-only");
    var family = null;   // the context of the open family
    var member = 0;

    var select = function (i) {
      if (!cards.length) { return; }
      selected = Math.max(0, Math.min(cards.length - 1, i));
      cards.forEach(function (c, j) { c.classList.toggle("selected", j === selected); });
      cards[selected].focus({ preventScroll: false });
    };

    var text = function (tag, value, cls) {
      var el = document.createElement(tag);
      el.textContent = value === null || value === undefined ? "" : String(value);
      if (cls) { el.className = cls; }
      return el;
    };

    var link = function (href, value) {
      var a = text("a", value);
      a.setAttribute("href", href);
      return a;
    };

    var section = function (title, items) {
      var s = document.createElement("section");
      s.appendChild(text("h3", title));
      var ul = document.createElement("ul");
      if (!items.length) { ul.appendChild(text("li", "none")); }
      items.forEach(function (li) { ul.appendChild(li); });
      s.appendChild(ul);
      return s;
    };

    var li = function (parts) {
      var el = document.createElement("li");
      parts.forEach(function (p) { el.appendChild(typeof p === "string" ? document.createTextNode(p) : p); });
      return el;
    };

    var renderContext = function (ctx) {
      vContext.textContent = "";
      var m = ctx.members[member];
      var name = ctx.family.length > 20 ? ctx.family.slice(0, 16) + "…" : ctx.family;
      vContext.appendChild(text("h2", "Family " + name + " — " + ctx.count + " item(s)"));
      vContext.appendChild(section("This item", [
        li([link("/media/" + m.sha256, m.sha256.slice(0, 16) + "…"), " ", text("span", m.status, "status " + m.status)]),
        li(["list category: " + (m.list_category || "none") + " · reviewer category: " + (m.reviewer_category || "none")]),
        li(["camera: " + (m.camera || "unknown") + (m.serial ? " serial " + m.serial : "") + (m.taken ? " · taken " + m.taken : "")])
      ]));
      vContext.appendChild(section("List matches", ctx.matches.map(function (x) {
        return li([x.list + ": " + x.algorithm + " distance " + x.distance + (x.category ? ", category " + x.category : "")]);
      })));
      var f = ctx.first_sighting;
      vContext.appendChild(section("First sighting", f ? [li([(f.time || "?") + " in ", f.group ? link("/groups/" + f.group, f.group) : "?",
        " by ", f.person ? link("/persons/" + f.person, f.person) : "?", " — origin " + f.origin])] : []));
      vContext.appendChild(section("Groups (" + ctx.groups.length + ")", ctx.groups.map(function (g) {
        return li([link("/groups/" + g.group, g.group), " " + (g.name || "") + " — " + g.posts + " post(s)"]);
      })));
      vContext.appendChild(section("Posts (" + ctx.post_total + ")", ctx.posts.slice(0, 30).map(function (p) {
        return li([(p.time || "?") + " ", p.group ? link("/groups/" + p.group, p.group) : "", " ",
                   p.person ? link("/persons/" + p.person, p.person) : "?", p.forwarded ? " (forwarded)" : ""]);
      })));
      vContext.appendChild(section("Cameras", ctx.cameras.map(function (c) {
        return li([(c.camera || "?") + (c.serial ? " serial " + c.serial : "")]);
      })));
      vContext.appendChild(text("p", ctx.instances + " instance(s) on " + ctx.exhibits + " exhibit(s)", "muted"));
    };

    var showMember = function (i) {
      if (!family) { return; }
      hide();
      member = (i + family.members.length) % family.members.length;
      var m = family.members[member];
      vPos.textContent = (member + 1) + " / " + family.members.length;
      vImg.hidden = !m.previewable;
      vNone.hidden = m.previewable;
      vImg.setAttribute("data-sha256", m.sha256);
      vImg.classList.add("blurred");
      vImg.classList.remove("revealed");
      if (m.previewable) { vImg.src = preview(m.sha256); }
      vState.textContent = "";
      renderContext(family);
    };

    var openFamily = function (card) {
      return api("GET", "/api/families/" + encodeURIComponent(card.getAttribute("data-family"))).then(function (res) {
        if (!res.ok) { say("cannot open the family: " + JSON.stringify(res.body && res.body.detail)); return; }
        family = res.body;
        viewer.hidden = false;
        document.body.classList.add("viewing");
        showMember(0);
        viewer.scrollIntoView({ block: "start" });
      });
    };

    var closeFamily = function () {
      hide();
      viewer.hidden = true;
      document.body.classList.remove("viewing");
      family = null;
      if (selected >= 0) { cards[selected].focus(); }
    };

    var toggleReveal = function () {
      if (!family) { return null; }
      if (revealedImg === vImg) { hide(vImg); vState.textContent = "hidden"; return null; }
      var m = family.members[member];
      if (!m.previewable) { vState.textContent = "nothing to show for this item"; return null; }
      return reveal(vImg, m.sha256).then(function (r) { if (r) { vState.textContent = "revealed (logged)"; } });
    };

    var markDone = function (body) {
      body.categorised.forEach(function (s) {
        cards.forEach(function (c) {
          if (c.getAttribute("data-sha256") === s || (family && c.getAttribute("data-family") === family.family)) {
            var rc = c.querySelector(".rc");
            if (rc) { rc.textContent = body.category; }
            c.classList.add("done");
          }
        });
      });
      if (family) {
        family.members.forEach(function (m) { if (body.categorised.indexOf(m.sha256) >= 0) { m.reviewer_category = body.category; } });
        renderContext(family);
      }
    };

    var categoriseNow = function (code) {
      if (family) {
        var url = itemOnly.checked
          ? "/api/media/" + family.members[member].sha256 + "/categorisation"
          : "/api/families/" + encodeURIComponent(family.family) + "/categorisation";
        return categorise(url, code, markDone);
      }
      var card = cards[selected];
      if (!card) { return null; }
      return categorise("/api/families/" + encodeURIComponent(card.getAttribute("data-family")) + "/categorisation",
                        code, function (body) { markDone(body); select(selected + 1); });
    };

    cards.forEach(function (card, i) {
      card.addEventListener("click", function (e) {
        if (e.target.tagName === "A") { return; }
        select(i);
        openFamily(card);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("button.cat"), function (b) {
      b.addEventListener("click", function () { categoriseNow(b.getAttribute("data-category")); });
    });
    document.getElementById("viewer-reveal").addEventListener("click", toggleReveal);
    document.getElementById("viewer-next").addEventListener("click", function () { showMember(member + 1); });
    document.getElementById("viewer-prev").addEventListener("click", function () { showMember(member - 1); });
    document.getElementById("viewer-close").addEventListener("click", closeFamily);
    vImg.addEventListener("click", toggleReveal);

    document.addEventListener("keydown", function (e) {
      if (typing(e)) { return; }
      var key = keyOf(e);
      if (family) {
        if (key === "R" || key === " ") { toggleReveal(); }
        else if (key === "N" || key === "ArrowRight" || key === "ArrowDown") { showMember(member + 1); }
        else if (key === "P" || key === "ArrowLeft" || key === "ArrowUp") { showMember(member - 1); }
        else if (key === "I") { itemOnly.checked = !itemOnly.checked; }
        else if (key === "Escape") { if (revealedImg) { hide(); vState.textContent = "hidden"; } else { closeFamily(); } }
        else if (key === "Q") { closeFamily(); }
        else if (codes.indexOf(key) >= 0) { categoriseNow(key); }
        else { return; }
      } else {
        if (key === "ArrowRight" || key === "J") { select(selected + 1); }
        else if (key === "ArrowLeft" || key === "K") { select(selected - 1); }
        else if (key === "Enter" || key === "V") { if (cards[selected]) { openFamily(cards[selected]); } }
        else if (key === "R") { if (cards[selected]) { openFamily(cards[selected]).then(toggleReveal); } }
        else if (codes.indexOf(key) >= 0) { categoriseNow(key); }
        else { return; }
      }
      e.preventDefault();
    });
    if (cards.length) { cards[0].classList.add("selected"); }
    window.tantalioReview = { open: function (i) { select(i); return openFamily(cards[i]); } };
  }

  // ---- a single media item's page --------------------------------------------------------------
  var one = document.querySelector("section.review-one");
  if (one) {
    var sha = one.getAttribute("data-sha256");
    var img = one.querySelector("img.thumb");
    var toggle = function () {
      if (!img) { return; }
      if (revealedImg === img) { hide(img); } else { reveal(img, sha); }
    };
    if (img) { img.setAttribute("data-sha256", sha); img.addEventListener("click", toggle); }
    var button = one.querySelector("button.reveal");
    if (button) { button.addEventListener("click", toggle); }
    Array.prototype.forEach.call(one.querySelectorAll("button.cat"), function (b) {
      b.addEventListener("click", function () {
        categorise("/api/media/" + sha + "/categorisation", b.getAttribute("data-category"), null);
      });
    });
    document.addEventListener("keydown", function (e) {
      if (typing(e)) { return; }
      var key = keyOf(e);
      if (key === "R") { toggle(); }
      else if (key === "Escape") { hide(); }
      else if (codes.indexOf(key) >= 0) { categorise("/api/media/" + sha + "/categorisation", key, null); }
      else { return; }
      e.preventDefault();
    });
  }
})();
