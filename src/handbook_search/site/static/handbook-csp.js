/* Sphinx's translations.js calls Documentation.addTranslations, which builds the plural rule
   with `new Function`: refused by the site's Content-Security-Policy (no 'unsafe-eval',
   site/safety.py). This is the same without eval: a constant rule ("0" for Japanese), or
   Sphinx's default rule for anything else. Loaded after doctools.js, before translations.js. */
"use strict";
if (typeof Documentation !== "undefined") {
  Documentation.addTranslations = (catalog) => {
    Object.assign(Documentation.TRANSLATIONS, catalog.messages);
    const constant = /^\s*\(?\s*(\d+)\s*\)?\s*$/.exec(String(catalog.plural_expr));
    Documentation.PLURAL_EXPR = constant ? () => Number(constant[1]) : (n) => (n === 1 ? 0 : 1);
    Documentation.LOCALE = catalog.locale;
  };
}
