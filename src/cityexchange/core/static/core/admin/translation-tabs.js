/*
 * Tabs for the translated fields of the back office.
 *
 * django-modeltranslation groups a field's four languages into tabs with jQuery UI's
 * "tabs" widget, which it would load from a public CDN; the site's content security
 * policy refuses that, and the page was left with four fields labelled alike. This is
 * the part of that widget the grouping script uses (`.tabs({active: n})` and
 * `.tabs("option", "active", n)`), served with the project's own static files and
 * written as an accessible tab list: arrow keys, Home and End move between languages.
 */
(function ($) {
  "use strict";

  function parts($container) {
    var $tabs = $container.children("ul").first().children("li").children("a");
    var $panels = $tabs.map(function () {
      return document.getElementById(this.getAttribute("href").slice(1));
    });
    return { tabs: $tabs, panels: $panels };
  }

  function activate($container, index) {
    var p = parts($container);
    if (!p.tabs.length) {
      return;
    }
    index = Math.max(0, Math.min(p.tabs.length - 1, parseInt(index, 10) || 0));
    p.tabs.each(function (i) {
      var active = i === index;
      $(this)
        .attr({ "aria-selected": active ? "true" : "false", tabindex: active ? "0" : "-1" })
        .parent()
        .toggleClass("ui-tabs-active ui-state-active", active);
      $(p.panels[i]).toggleClass("ui-tabs-hide", !active).prop("hidden", !active);
    });
    $container.data("cxActiveTab", index);
  }

  function setUp($container) {
    var p = parts($container);
    $container.addClass("ui-tabs");
    $container.children("ul").first().addClass("ui-tabs-nav").attr("role", "tablist");
    p.tabs.each(function (i) {
      var panel = p.panels[i];
      var tabId = panel.id + "-tab";
      $(this)
        .attr({ role: "tab", id: tabId, "aria-controls": panel.id })
        // The tab shows the language code; a screen reader hears the language's name.
        .attr("aria-label", this.getAttribute("title") || this.textContent)
        .parent()
        .attr("role", "presentation")
        .addClass("ui-state-default");
      $(panel).addClass("ui-tabs-panel").attr({ role: "tabpanel", "aria-labelledby": tabId });
    });
    p.tabs.on("click", function (event) {
      event.preventDefault();
      activate($container, p.tabs.index(this));
    });
    p.tabs.on("keydown", function (event) {
      var current = p.tabs.index(this);
      var next = {
        ArrowRight: current + 1,
        ArrowLeft: current - 1,
        Home: 0,
        End: p.tabs.length - 1,
      }[event.key];
      if (next === undefined) {
        return;
      }
      event.preventDefault();
      next = (next + p.tabs.length) % p.tabs.length;
      activate($container, next);
      p.tabs[next].focus();
    });
  }

  $.fn.tabs = function (options, name, value) {
    return this.each(function () {
      var $container = $(this);
      if (options === "option") {
        if (name === "active") {
          activate($container, value);
        }
        return;
      }
      setUp($container);
      activate($container, options && options.active);
    });
  };
})(window.jQuery);
