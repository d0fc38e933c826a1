// Veiviser's embeddable search box for intranet pages. Paste where the box should appear:
//   <script src="https://veiviser.example.no/embed.js" defer></script>
//   <div data-veiviser-sok></div>
// Optional attributes on the <div>: data-target="_blank" (open results in a new tab; default: same tab),
// data-label="…" (the field's label). Without a <div data-veiviser-sok> the box is placed right after the script.
// The box is a plain GET form to Veiviser's /?q=…, so it also works where the intranet's policy forbids
// cross-origin requests; it sends nothing anywhere until the user submits it. Styles are set through the
// CSSOM (no inline <style>), so a Content-Security-Policy without 'unsafe-inline' does not block it.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? new URL(".", script.src).href : location.origin + "/";
  var counter = 0;

  function css(node, styles) {
    for (var key in styles) node.style[key] = styles[key];
    return node;
  }

  function build(host) {
    if (host.getAttribute("data-veiviser-ready")) return;
    host.setAttribute("data-veiviser-ready", "true");
    var id = "veiviser-q-" + (++counter);
    var form = document.createElement("form");
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Søk i Veiviser");
    form.method = "get";
    form.action = base;
    var target = host.getAttribute("data-target");
    if (target === "_blank") form.target = "_blank";
    css(form, { fontFamily: "inherit", maxWidth: "36rem", margin: "0.5rem 0" });

    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = host.getAttribute("data-label") || "Søk i veilederne for psykisk helse og rus (Veiviser)";
    css(label, { display: "block", fontWeight: "700", marginBottom: "0.25rem" });

    var hint = document.createElement("p");
    hint.id = id + "-hint";
    hint.textContent = "Ikke skriv pasientopplysninger i søket.";
    css(hint, { margin: "0 0 0.25rem", fontSize: "0.9em", color: "#4a4a4a" });

    var row = css(document.createElement("div"), { display: "flex", gap: "0.5rem", flexWrap: "wrap" });
    var input = document.createElement("input");
    input.type = "search";
    input.name = "q";
    input.id = id;
    input.required = true;
    input.maxLength = 1000;
    input.autocomplete = "off";
    input.setAttribute("aria-describedby", hint.id);
    css(input, { flex: "1 1 14rem", font: "inherit", padding: "0.5rem 0.6rem", border: "2px solid #6b7280",
      borderRadius: "4px", color: "#1a1a1a", background: "#fff", minWidth: "0" });

    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = target === "_blank" ? "Søk (åpnes i ny fane)" : "Søk";
    css(button, { font: "inherit", fontWeight: "700", padding: "0.5rem 1rem", minHeight: "2.75rem",
      background: "#0b3d5c", color: "#fff", border: "2px solid #0b3d5c", borderRadius: "4px", cursor: "pointer" });

    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(hint);
    form.appendChild(row);
    host.appendChild(form);
  }

  function init() {
    var hosts = document.querySelectorAll("[data-veiviser-sok]");
    if (hosts.length) {
      for (var i = 0; i < hosts.length; i++) build(hosts[i]);
    } else if (script && script.parentNode) {
      var host = document.createElement("div");
      host.setAttribute("data-veiviser-sok", "");
      script.parentNode.insertBefore(host, script.nextSibling);
      build(host);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
