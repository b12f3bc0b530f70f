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
      hideEdgesOnViewport: large,
      textureOnViewport: large,
      pixelRatio: large ? 1 : undefined,
      wheelSensitivity: 0.6,
      minZoom: 0.02,
      maxZoom: 8,
      style: [
        { selector: "node", style: {
          "label": "data(caption)", "font-size": 11, "min-zoomed-font-size": 9, "text-valign": "bottom",
          "text-margin-y": 2, "color": "#222", "text-outline-color": "#fff", "text-outline-width": 2,
          "width": "data(size)", "height": "data(size)" } },
        { selector: "node[kind = 'person']", style: { "shape": "ellipse", "background-color": "data(colour)" } },
        { selector: "node[kind = 'group']", style: { "shape": "round-rectangle", "background-color": "#1b7837" } },
        { selector: "edge", style: { "width": 1, "line-color": EDGE_COLOURS.member, "curve-style": "haystack",
                                     "haystack-radius": 0 } },
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
    window.cy = cy; // for the console and the browser tests

    // Fit the view on `eles` from node positions alone: measuring 5,000 labels for a bounding
    // box (what cy.fit does) costs seconds and labels are hidden at that zoom anyway.
    function fitTo(eles) {
      if (!eles.length) { return; }
      var bb = eles.boundingBox({ includeLabels: false, includeOverlays: false, includeEdges: false });
      var pad = 40, w = cy.width(), h = cy.height();
      var zoom = Math.min((w - 2 * pad) / Math.max(bb.w, 1), (h - 2 * pad) / Math.max(bb.h, 1));
      zoom = Math.max(cy.minZoom(), Math.min(zoom, 2.5));
      cy.viewport({ zoom: zoom, pan: { x: (w - zoom * (bb.x1 + bb.x2)) / 2, y: (h - zoom * (bb.y1 + bb.y2)) / 2 } });
    }

    // Change an element's class only when its state changes: each change re-styles the element.
    function setHidden(ele, hidden) {
      if (ele.hasClass("hidden") !== hidden) { ele.toggleClass("hidden", hidden); }
    }
    var role = fillSelect("filter-role", graph.facets.roles);
    var country = fillSelect("filter-country", graph.facets.countries);
    var community = fillSelect("filter-community", graph.facets.communities);
    var kinds = Array.prototype.slice.call(document.querySelectorAll("input.edge-kind"));
    var hops = document.getElementById("ego-hops");
    var egoRoot = null;
    var persons = cy.nodes("[kind = 'person']");
    var groups = cy.nodes("[kind = 'group']");

    var names = document.getElementById("node-names");
    nodes.slice(0, 20000).forEach(function (n) {
      var option = document.createElement("option");
      option.value = n.data.caption;
      names.appendChild(option);
    });

    function enabledKinds() {
      return kinds.filter(function (k) { return k.checked; }).map(function (k) { return k.value; });
    }

    function egoSet(root, depth, allowed) {
      var reached = root;
      var frontier = root;
      for (var i = 0; i < depth; i++) {
        var edges = frontier.connectedEdges().filter(function (e) { return allowed.indexOf(e.data("kind")) >= 0; });
        var next = edges.connectedNodes().difference(reached);
        if (next.empty()) { break; }
        reached = reached.union(next);
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
      cy.batch(function () {
        persons.forEach(function (n) {
          var d = n.data();
          var ok = (!r || d.roles.indexOf(r) >= 0) && (!c || d.countries.indexOf(c) >= 0) &&
                   (!k || String(d.community) === k) && (!inEgo || inEgo.has(n));
          setHidden(n, !ok);
        });
        groups.forEach(function (g) {
          var hidden = inEgo !== null && !inEgo.has(g);
          if (!hidden && filtering) {
            hidden = !g.connectedEdges().some(function (e) {
              return e.data("kind") === "member" && !(e.source() === g ? e.target() : e.source()).hasClass("hidden");
            });
          }
          setHidden(g, hidden);
        });
        cy.edges().forEach(function (e) { setHidden(e, allowed.indexOf(e.data("kind")) < 0); });
      });
      var shown = cy.nodes().filter(function (n) { return !n.hasClass("hidden"); });
      fitTo(shown);
      status.textContent = shown.length + " of " + cy.nodes().length + " nodes shown" +
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
      fitTo(cy.nodes().filter(function (n) { return !n.hasClass("hidden"); }));
    });
    function zoomBy(factor) {
      var box = cy.container().getBoundingClientRect();
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: box.width / 2, y: box.height / 2 } });
    }
    document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.5); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });

    function find(text) {
      var needle = text.trim().toLowerCase();
      if (!needle) { return null; }
      var exact = null, partial = null;
      cy.nodes().forEach(function (n) {
        var d = n.data();
        var hay = [d.label, d.name, d.caption].concat(d.phones || []).join(" ").toLowerCase();
        if (!exact && (d.label.toLowerCase() === needle || d.caption.toLowerCase() === needle)) { exact = n; }
        if (!partial && hay.indexOf(needle) >= 0) { partial = n; }
      });
      return exact || partial;
    }
    document.getElementById("filters").addEventListener("submit", function (e) {
      e.preventDefault();
      var node = find(document.getElementById("find").value);
      cy.$(".found").removeClass("found");
      if (!node) { status.textContent = "nothing found"; return; }
      if (node.hasClass("hidden")) { egoRoot = null; role.value = country.value = community.value = ""; apply(); }
      cy.$(":selected").unselect();
      node.select();
      node.addClass("found");
      cy.zoom({ level: Math.max(cy.zoom(), 1.2), position: node.position() });
      cy.center(node);
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
