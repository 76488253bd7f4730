// Renders the page's widgets (the explorers and quizzes) as soon as the page is parsed. The widget
// manager's own entry point, embed-amd.js, is a 3.6 MB script that blocks parsing where it stands
// in <head> and then waits for the window's load event (every figure, font and MathJax) before it
// renders anything. Here its library, libembed-amd.js, is fetched by require.js in the background
// and renders at DOMContentLoaded. Loaded after require.js and widgets-offline.js (_config.yml,
// nb_ipywidgets_js); the data-jupyter-widgets-cdn attribute on this script is read by the manager.
require(["@jupyter-widgets/html-manager/dist/libembed-amd"], function (embed) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      embed.renderWidgets();
    });
  } else {
    embed.renderWidgets();
  }
});
