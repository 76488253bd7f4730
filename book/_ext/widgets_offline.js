// Loaded between require.js and the ipywidgets HTML manager (see _config.yml, nb_ipywidgets_js).
(function () {
  // 1. The widget manager loads its fonts from the folder its AMD module lives in, which require.js
  //    would otherwise place next to the page; point it at this book's own copy. The explorers are
  //    anywidgets: the manager asks require.js for the module "anywidget" (without this path it
  //    requests /anywidget.js, a 404, before falling back to a CDN); serve the vendored copy.
  var here = document.currentScript.src;
  var vendor = here.slice(0, here.lastIndexOf("/") + 1);
  require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
      // the packages bundled in the manager (base, controls, output) place their fonts by their
      // own module id too: render at DOMContentLoaded (widgets_render.js) and without this they
      // asked the page's folder for /notebooks/@jupyter-widgets/<font>.woff2 (a 404)
      "@jupyter-widgets": vendor + "html-manager",
      anywidget: vendor + "anywidget/index",
    },
  });

  // 2. The widget manager typesets widget labels with the MathJax 2 API (MathJax.Hub.Queue);
  //    this book loads MathJax 3, so translate the call instead of failing.
  function installMathJax2Shim() {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) return;
    mathjax.Hub = {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : undefined;
        if (window.MathJax.typesetPromise) {
          window.MathJax.typesetPromise(element ? [element] : undefined).catch(function () {});
        }
      },
    };
  }
  installMathJax2Shim();
  document.addEventListener("DOMContentLoaded", installMathJax2Shim);

  // 3. Accessibility of the rendered widgets: the manager gives figure images no alt text and
  //    slider handles no accessible name; take them from the explorer's title and the labels.
  function label(root) {
    root.querySelectorAll(".widget-image:not([alt])").forEach(function (img) {
      var box = img.closest(".widget-vbox");
      var title = box && box.querySelector(".widget-html");
      var name = (title && title.textContent.trim()) || "explorer";
      img.setAttribute("alt", "Figure of the " + name + " at its initial setting");
    });
    root.querySelectorAll("[role=slider]:not([aria-label])").forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var text = widget && widget.querySelector(".widget-label");
      handle.setAttribute("aria-label", (text && text.textContent.trim()) || "slider");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(function () { label(document); }).observe(document.body, {
      childList: true, subtree: true,
    });
    label(document);
  });
})();
