// Network explorer: persons and groups from /api/graph, drawn with the vendored Cytoscape.js.
// Filters hide persons that do not match and groups left without a visible member; a click
// on a node opens its page.
(function () {
  "use strict";
  var status = document.getElementById("graph-status");
  var ROLE_COLOURS = {
    producer: "#b2182b", suspected_producer: "#d6604d", distributor: "#ef8a62",
    administrator: "#7b3294", bridge: "#2166ac", consumer: "#878787"
  };
  var ROLE_ORDER = ["producer", "suspected_producer", "distributor", "administrator", "bridge", "consumer"];

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

  function build(graph) {
    var maxPriority = 0;
    graph.elements.nodes.forEach(function (n) {
      if (n.data.kind === "person") {
        maxPriority = Math.max(maxPriority, n.data.priority || 0);
        n.data.colour = ROLE_COLOURS[mainRole(n.data.roles)] || "#bababa";
      }
    });
    graph.elements.nodes.forEach(function (n) {
      n.data.size = n.data.kind === "person" ? 18 + 42 * ((n.data.priority || 0) / (maxPriority || 1)) : 26;
    });
    var cy = cytoscape({
      container: document.getElementById("network-graph"),
      elements: graph.elements,
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 9, "width": "data(size)", "height": "data(size)" } },
        { selector: "node[kind = 'person']", style: { "shape": "ellipse", "background-color": "data(colour)" } },
        { selector: "node[kind = 'group']", style: { "shape": "round-rectangle", "background-color": "#1b7837", "label": "data(caption)" } },
        { selector: "edge", style: { "width": 1, "line-color": "#c7c7c7", "curve-style": "haystack" } },
        { selector: ".hidden", style: { "display": "none" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 }
    });
    window.cy = cy; // for the console and the browser tests
    var role = fillSelect("filter-role", graph.facets.roles);
    var country = fillSelect("filter-country", graph.facets.countries);
    var community = fillSelect("filter-community", graph.facets.communities);

    function apply() {
      var r = role.value, c = country.value, k = community.value;
      cy.batch(function () {
        cy.nodes("[kind = 'person']").forEach(function (n) {
          var d = n.data();
          var ok = (!r || d.roles.indexOf(r) >= 0) && (!c || d.countries.indexOf(c) >= 0) &&
                   (!k || String(d.community) === k);
          n.toggleClass("hidden", !ok);
        });
        var filtering = Boolean(r || c || k);
        cy.nodes("[kind = 'group']").forEach(function (g) {
          var visible = g.neighborhood("node[kind = 'person']").filter(function (p) { return !p.hasClass("hidden"); });
          g.toggleClass("hidden", filtering && visible.length === 0);
        });
      });
      var shown = cy.nodes().filter(function (n) { return !n.hasClass("hidden"); }).length;
      status.textContent = shown + " of " + cy.nodes().length + " nodes shown";
    }
    [role, country, community].forEach(function (s) { s.addEventListener("change", apply); });
    cy.on("tap", "node", function (evt) {
      var href = evt.target.data("href");
      if (href && href.charAt(0) === "/") { window.location.assign(href); }
    });
    apply();
  }

  fetch("/api/graph", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(build)
    .catch(function (e) { status.textContent = "could not load the graph: " + e.message; });
})();
