// Network explorer: persons and groups from /api/graph, drawn with the vendored Cytoscape.js at
// the positions the server computed (the same picture on every load). Filters, edge kinds and
// the ego network hide elements and re-fit the view; hover shows names; a click selects, a
// double-click or Ctrl+click opens the node's page in a new tab.
(function () {
  "use strict";
  var status = document.getElementById("graph-status");
  var info = document.getElementById("node-info");
  var tip = document.getElementById("graph-tip");
  var ROLE_COLOURS = {
    producer: "#b2182b", suspected_producer: "#d6604d", distributor: "#ef8a62",
    administrator: "#7b3294", bridge: "#2166ac", consumer: "#878787"
  };
  var ROLE_ORDER = ["producer", "suspected_producer", "distributor", "administrator", "bridge", "consumer"];
  var EDGE_COLOURS = { member: "#c7c7c7", added_by: "#1f78b4", reposted_from: "#e6550d" };

  function mainRole(roles) {
    for (var i = 0; i < ROLE_ORDER.length; i++) {
      if (roles.indexOf(ROLE_ORDER[i]) >= 0) { return ROLE_ORDER[i]; }
    }
    return "";
  }

  function fillSelect(id, values) {
    var select = document.getElementById(id);
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = String(v);
      option.textContent = String(v);
      select.appendChild(option);
    });
    return select;
  }

  function openInNewTab(node) {
    var href = node.data("href");
    if (href && href.charAt(0) === "/") { window.open(href, "_blank", "noopener,noreferrer"); }
  }

  function line(parent, label, value) {
    if (value === undefined || value === null || value === "" || (value.length === 0)) { return; }
    var p = document.createElement("p");
    var b = document.createElement("b");
    b.textContent = label + ": ";
    p.appendChild(b);
    p.appendChild(document.createTextNode(Array.isArray(value) ? value.join(", ") : String(value)));
    parent.appendChild(p);
  }

  function showInfo(node) {
    var d = node.data();
    info.textContent = "";
    var h = document.createElement("h2");
    h.textContent = d.label;
    info.appendChild(h);
    line(info, "Name", d.name);
    if (d.kind === "person") {
      line(info, "Roles", d.roles);
      line(info, "Countries", d.countries);
      line(info, "Phones", d.phones);
      line(info, "Priority", d.priority ? d.priority.toFixed(2) : "");
      line(info, "Community", d.community);
    } else {
      line(info, "Platform", d.platform);
    }
    line(info, "Connections", node.connectedEdges().filter(function (e) { return !e.hasClass("hidden"); }).length);
    var a = document.createElement("a");
    a.href = d.href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.id = "open-node";
    a.textContent = "Open " + d.label + " in a new tab";
    info.appendChild(a);
    info.hidden = false;
  }

  function build(graph) {
    var nodes = graph.elements.nodes;
    var large = nodes.length > 1500;
    var maxPriority = 0;
    nodes.forEach(function (n) {
      if (n.data.kind === "person") {
        maxPriority = Math.max(maxPriority, n.data.priority || 0);
        n.data.colour = ROLE_COLOURS[mainRole(n.data.roles)] || "#bababa";
      }
    });
    nodes.forEach(function (n) {
      n.data.size = n.data.kind === "person" ? 14 + 34 * ((n.data.priority || 0) / (maxPriority || 1)) : 22;
    });
    var webgl = /[?&]webgl=1/.test(window.location.search);
    var cy = cytoscape({
      container: document.getElementById("network-graph"),
      elements: graph.elements,
      layout: { name: "preset", fit: false },
      renderer: { name: "canvas", webgl: webgl },
      // While the view moves: edges hidden, a texture of the last frame for drags and the wheel,
      // and motion blur (lower-resolution frames until the view rests, then one sharp frame) for
      // every other viewport change, e.g. the zoom buttons: 17 ms frames instead of ~270 ms.
      hideEdgesOnViewport: large,
      textureOnViewport: large,
      motionBlur: large,
      pixelRatio: large ? 1 : undefined,
      wheelSensitivity: 0.6,
      minZoom: 0.02,
      maxZoom: 8,
      // Kept cheap for thousands of elements (Cytoscape's performance notes, measured with
      // bench/bench_web_explorer.py): haystack edges for the bulk (membership), straight ones only
      // where an arrow gives the direction; labels drawn only from a readable zoom on
      // (min-zoomed-font-size) and without a text outline (costlier redraws in the bench); edges
      // take no events (no hit tests).
      style: [
        { selector: "node", style: {
          "label": "data(caption)", "font-size": 11, "min-zoomed-font-size": 9, "text-valign": "bottom",
          "text-margin-y": 2, "color": "#222", "width": "data(size)", "height": "data(size)" } },
        { selector: "node[kind = 'person']", style: { "shape": "ellipse", "background-color": "data(colour)" } },
        { selector: "node[kind = 'group']", style: { "shape": "round-rectangle", "background-color": "#1b7837" } },
        { selector: "edge", style: { "width": 1, "line-color": EDGE_COLOURS.member, "curve-style": "haystack",
                                     "haystack-radius": 0, "events": "no" } },
        { selector: "edge[kind = 'added_by']", style: { "line-color": EDGE_COLOURS.added_by, "width": 1.5,
          "curve-style": "straight", "target-arrow-shape": "triangle", "target-arrow-color": EDGE_COLOURS.added_by,
          "arrow-scale": 0.7 } },
        { selector: "edge[kind = 'reposted_from']", style: { "line-color": EDGE_COLOURS.reposted_from, "width": 1.5,
          "curve-style": "straight", "line-style": "dashed", "target-arrow-shape": "triangle",
          "target-arrow-color": EDGE_COLOURS.reposted_from, "arrow-scale": 0.7 } },
        { selector: ".hidden", style: { "display": "none" } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#000" } },
        { selector: ".found", style: { "border-width": 4, "border-color": "#ffb000" } }
      ]
    });
    // Edges are never hovered, tapped or selected: Cytoscape then leaves them out of hit tests and
    // of selection restyles.
    cy.edges().unselectify();
    window.cy = cy; // for the console and the browser tests

    // Everything the interactions need is indexed once, in plain arrays over the server's
    // nodes (same order as cy.nodes()): positions and sizes for fitting, adjacency by edge kind
    // for ego networks, lower-cased text for find. Interactions then compute the visible set in
    // JavaScript and hand Cytoscape only the elements whose visibility changes, as one collection.
    var count = nodes.length;
    var all = nodes.map(function (n) { return cy.getElementById(n.data.id); });
    var indexOf = {};
    for (var i = 0; i < count; i++) { indexOf[nodes[i].data.id] = i; }
    var isPerson = nodes.map(function (n) { return n.data.kind === "person"; });
    var hiddenNow = new Uint8Array(count);            // what the `hidden` class says at present
    var adjacency = nodes.map(function () { return []; });  // [neighbour, kind, neighbour, kind, …]
    var groupMembers = nodes.map(function () { return []; });
    var edgesByKind = {};
    graph.elements.edges.forEach(function (e) {
      var s = indexOf[e.data.source], t = indexOf[e.data.target], kind = e.data.kind;
      adjacency[s].push(t, kind);
      adjacency[t].push(s, kind);
      if (kind === "member") {
        if (!isPerson[t]) { groupMembers[t].push(s); } else if (!isPerson[s]) { groupMembers[s].push(t); }
      }
      edgesByKind[kind] = true;
    });
    Object.keys(edgesByKind).forEach(function (kind) { edgesByKind[kind] = cy.edges("[kind = '" + kind + "']"); });
    var kindHidden = {};
    var haystack = nodes.map(function (n) {
      var d = n.data;
      return [d.label, d.name, d.caption].concat(d.phones || []).join(" ").toLowerCase();
    });

    // A jump of the view (fit, find) is drawn sharp at once: motion blur is for continuous moves,
    // and on a jump it costs a blurred frame before the sharp one (+30% on "Show all" in the
    // bench). Cytoscape has no public switch per change; its canvas renderer (3.35) reads
    // motionBlurEnabled, and setting it is harmless if a later version drops it.
    function jumpTo(viewport) {
      var renderer = cy.renderer();
      renderer.motionBlurEnabled = false;
      cy.viewport(viewport);
      requestAnimationFrame(function () { requestAnimationFrame(function () { renderer.motionBlurEnabled = large; }); });
    }

    // Fit the view on the nodes `shown` (indexes) from positions and sizes alone: measuring 5,000
    // labels for a bounding box (what cy.fit does) costs seconds and labels are hidden at that
    // zoom anyway.
    function fitTo(shown) {
      if (!shown.length) { return; }
      var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
      shown.forEach(function (i) {
        var p = all[i].position(), r = nodes[i].data.size / 2;
        x1 = Math.min(x1, p.x - r); x2 = Math.max(x2, p.x + r);
        y1 = Math.min(y1, p.y - r); y2 = Math.max(y2, p.y + r);
      });
      var pad = 40, w = cy.width(), h = cy.height();
      var zoom = Math.min((w - 2 * pad) / Math.max(x2 - x1, 1), (h - 2 * pad) / Math.max(y2 - y1, 1));
      zoom = Math.max(cy.minZoom(), Math.min(zoom, 2.5));
      jumpTo({ zoom: zoom, pan: { x: (w - zoom * (x1 + x2)) / 2, y: (h - zoom * (y1 + y2)) / 2 } });
    }

    var role = fillSelect("filter-role", graph.facets.roles);
    var country = fillSelect("filter-country", graph.facets.countries);
    var community = fillSelect("filter-community", graph.facets.communities);
    var kinds = Array.prototype.slice.call(document.querySelectorAll("input.edge-kind"));
    var hops = document.getElementById("ego-hops");
    var egoRoot = null;
    var lastFound = null;

    var names = document.getElementById("node-names");
    nodes.slice(0, 20000).forEach(function (n) {
      var option = document.createElement("option");
      option.value = n.data.caption;
      names.appendChild(option);
    });

    function enabledKinds() {
      return kinds.filter(function (k) { return k.checked; }).map(function (k) { return k.value; });
    }

    // Nodes within `depth` hops of `root` over the allowed edge kinds (breadth first).
    function egoSet(root, depth, allowed) {
      var reached = new Uint8Array(count);
      var frontier = [indexOf[root.id()]];
      reached[frontier[0]] = 1;
      for (var step = 0; step < depth && frontier.length; step++) {
        var next = [];
        frontier.forEach(function (i) {
          var adj = adjacency[i];
          for (var j = 0; j < adj.length; j += 2) {
            if (!reached[adj[j]] && allowed.indexOf(adj[j + 1]) >= 0) { reached[adj[j]] = 1; next.push(adj[j]); }
          }
        });
        frontier = next;
      }
      return reached;
    }

    function apply() {
      var started = performance.now();
      var r = role.value, c = country.value, k = community.value;
      var allowed = enabledKinds();
      var filtering = Boolean(r || c || k);
      var inEgo = egoRoot ? egoSet(egoRoot, parseInt(hops.value, 10), allowed) : null;
      var hide = new Uint8Array(count);
      var i;
      for (i = 0; i < count; i++) {
        if (!isPerson[i]) { continue; }
        var d = nodes[i].data;
        var ok = (!r || d.roles.indexOf(r) >= 0) && (!c || d.countries.indexOf(c) >= 0) &&
                 (!k || String(d.community) === k) && (!inEgo || inEgo[i] === 1);
        hide[i] = ok ? 0 : 1;
      }
      for (i = 0; i < count; i++) {
        if (isPerson[i]) { continue; }
        var hidden = inEgo !== null && !inEgo[i];
        if (!hidden && filtering) {   // a group stays while one of its members is shown
          hidden = !groupMembers[i].some(function (m) { return !hide[m]; });
        }
        hide[i] = hidden ? 1 : 0;
      }
      var toHide = [], toShow = [], shown = [];
      for (i = 0; i < count; i++) {
        if (hide[i] !== hiddenNow[i]) { (hide[i] ? toHide : toShow).push(all[i]); hiddenNow[i] = hide[i]; }
        if (!hide[i]) { shown.push(i); }
      }
      cy.batch(function () {
        if (toHide.length) { cy.collection(toHide).addClass("hidden"); }
        if (toShow.length) { cy.collection(toShow).removeClass("hidden"); }
        Object.keys(edgesByKind).forEach(function (kind) {
          var off = allowed.indexOf(kind) < 0;
          if (Boolean(kindHidden[kind]) !== off) { edgesByKind[kind].toggleClass("hidden", off); kindHidden[kind] = off; }
        });
      });
      fitTo(shown);
      status.textContent = shown.length + " of " + count + " nodes shown" +
        (graph.left_out ? " (" + graph.left_out + " of lowest priority left out of " + graph.total + ")" : "") +
        (egoRoot ? " · ego network of " + egoRoot.data("label") : "");
      window.lastApplyMs = performance.now() - started;
    }

    [role, country, community, hops].forEach(function (s) { s.addEventListener("change", apply); });
    kinds.forEach(function (s) { s.addEventListener("change", apply); });
    document.getElementById("ego").addEventListener("click", function () {
      var selected = cy.nodes(":selected");
      if (selected.empty()) { status.textContent = "select a node first (click it or find it)"; return; }
      egoRoot = selected[0];
      apply();
    });
    document.getElementById("reset").addEventListener("click", function () {
      egoRoot = null;
      role.value = country.value = community.value = "";
      kinds.forEach(function (k) { k.checked = true; });
      apply();
    });
    document.getElementById("fit").addEventListener("click", function () {
      var shown = [];
      for (var i = 0; i < count; i++) { if (!hiddenNow[i]) { shown.push(i); } }
      fitTo(shown);
    });
    function zoomBy(factor) {
      var box = cy.container().getBoundingClientRect();
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: box.width / 2, y: box.height / 2 } });
    }
    document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.5); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });

    // The first node whose label or caption is the text, else the first whose label, name,
    // caption or phones contain it.
    function find(text) {
      var needle = text.trim().toLowerCase();
      if (!needle) { return null; }
      var partial = -1;
      for (var i = 0; i < count; i++) {
        var d = nodes[i].data;
        if (d.label.toLowerCase() === needle || d.caption.toLowerCase() === needle) { return all[i]; }
        if (partial < 0 && haystack[i].indexOf(needle) >= 0) { partial = i; }
      }
      return partial >= 0 ? all[partial] : null;
    }
    document.getElementById("filters").addEventListener("submit", function (e) {
      e.preventDefault();
      var node = find(document.getElementById("find").value);
      if (lastFound) { lastFound.removeClass("found"); lastFound = null; }
      if (!node) { status.textContent = "nothing found"; return; }
      if (hiddenNow[indexOf[node.id()]]) { egoRoot = null; role.value = country.value = community.value = ""; apply(); }
      cy.batch(function () {
        cy.nodes(":selected").unselect();
        node.select();
        node.addClass("found");
      });
      lastFound = node;
      // Zoom in on the node and centre it, in one viewport change.
      var zoom = Math.min(cy.maxZoom(), Math.max(cy.zoom(), 1.2)), p = node.position();
      jumpTo({ zoom: zoom, pan: { x: cy.width() / 2 - zoom * p.x, y: cy.height() / 2 - zoom * p.y } });
      showInfo(node);
    });

    cy.on("tap", "node", function (evt) {
      var oe = evt.originalEvent;
      if (oe && (oe.ctrlKey || oe.metaKey)) { openInNewTab(evt.target); return; }
      showInfo(evt.target);
    });
    cy.on("dbltap", "node", function (evt) { openInNewTab(evt.target); });
    cy.on("tap", function (evt) { if (evt.target === cy) { info.hidden = true; } });
    cy.on("mouseover", "node", function (evt) {
      var d = evt.target.data();
      var pos = evt.renderedPosition;
      tip.textContent = d.caption + (d.roles && d.roles.length ? " — " + d.roles.join(", ") : "") +
        (d.countries && d.countries.length ? " (" + d.countries.join(", ") + ")" : "");
      tip.style.left = Math.round(pos.x + 12) + "px";
      tip.style.top = Math.round(pos.y + 12) + "px";
      tip.hidden = false;
    });
    cy.on("mouseout", "node", function () { tip.hidden = true; });
    cy.on("viewport", function () { tip.hidden = true; });
    apply();
    window.graphReady = true;
  }

  var t0 = performance.now();
  fetch("/api/graph", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (graph) { window.graphFetchMs = performance.now() - t0; build(graph); window.graphBuildMs = performance.now() - t0; })
    .catch(function (e) { status.textContent = "could not load the graph: " + e.message; });
})();
