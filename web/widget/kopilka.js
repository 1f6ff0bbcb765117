// Kopilka's website widget, the part every page view loads: the <kopilka-widget> launcher and
// <kopilka-points>, one global (window.Kopilka), nothing else until the visitor shows intent.
// Hover, focus or a touch on the launcher starts loading the panel (panel.*.mjs, the wasm core,
// cached immutable by content hash); a click opens it. The launcher is fixed in its own shadow
// root: no layout shift, no global CSS, no inline script or style (strict CSP friendly). At page
// load the stub only sets window.Kopilka: its elements are defined and the launchers built in the
// first idle moment after the page is parsed (at once when Kopilka.open() asks), so the merchant's
// page pays almost nothing to load.
//
//   <script src="https://HOST/widget/v1/kopilka.js" data-merchant="demo" async></script>
//   <kopilka-widget merchant="demo" lang="ru"></kopilka-widget>
//   <kopilka-points price="1990.00" sku="…" category="…"></kopilka-points>
//   Kopilka.setMemberToken(token | async () => token)   // minted by the shop's backend
//   <kopilka-widget merchant="demo" preview>             // the console's live preview: launcher
//                                                        // and guest panel inline in its own box
(() => {
  'use strict';
  if (window.Kopilka) return;
  // At load: only what the API needs; widget() below is compiled when first called. Even the
  // stub's own <script> element is looked up then: touching the first element from script costs a
  // new page about half a millisecond, which the idle moment pays once for everything.
  const state = { token: null, panel: null, loading: null, theme: null, widgets: new Set() };
  let started = null;
  const start = () => started || (started = widget(state));
  window.Kopilka = Object.freeze({
    version: 1,
    // A member token from the shop's backend, or a function (async too) that returns one: it is
    // called again before the session ends. null signs the visitor out.
    setMemberToken(token) {
      state.token = token;
      if (state.panel) state.panel.tokenChanged();
    },
    open() {
      start();
      const w = state.widgets.values().next().value;
      return w && w.open();
    },
    close() { if (state.panel) state.panel.close(); },
    // The console's live preview: a draft theme (the theme codec's JSON) instead of the
    // published one.
    previewTheme(theme) { state.theme = theme; if (state.panel) state.panel.themeChanged(); },
  });
  // The first idle moment after the page has been parsed (a timer where requestIdleCallback is
  // missing), at most a second later.
  const later = () => (window.requestIdleCallback
    ? requestIdleCallback(start, { timeout: 1000 }) : setTimeout(start, 1));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', later);
  else later();

  // Defines <kopilka-widget> and <kopilka-points>, which builds every launcher on the page, and
  // adds one for the script's data-merchant when the page has none.
  function widget(state) {
    const script = ownScript();
    const src = script ? script.src : location.href;
    const base = src.slice(0, src.lastIndexOf('/') + 1);
    const panelFile = 'panel.js';  // the staged stub names the hashed panel here
    const words = {
      en: 'Rewards', ru: 'Бонусы', de: 'Prämien', lv: 'Bonusi',
    };
    const css = `:host{position:fixed;z-index:2147483000;right:20px;bottom:20px;display:block}
.launcher{display:inline-flex;align-items:center;gap:.5em;min-height:48px;padding:0 20px;margin:0;
border:0;border-radius:var(--kopilka-radius,24px);background:var(--kopilka-accent,#d14723);
color:var(--kopilka-accent-text,#fff);font:inherit;font-family:var(--kopilka-font);font-size:16px;
line-height:1.2;box-shadow:0 4px 16px rgba(0,0,0,.2);cursor:pointer}
.launcher::before{content:'';flex:none;width:18px;height:18px;box-sizing:border-box;
border:3px double currentColor;border-radius:50%}
.launcher:focus-visible{outline:3px solid var(--kopilka-text,#1f242b);outline-offset:3px}
@media (prefers-reduced-motion:no-preference){.launcher{transition:transform .15s}
.launcher:hover{transform:translateY(-2px)}}
:host([preview]){position:relative;right:auto;bottom:auto;z-index:auto;
width:100%;height:100%;overflow:hidden}
:host([preview]) .launcher{position:absolute;right:16px;bottom:16px}`;
    let sheet = null;
    const styles = () => {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(css); }
      return sheet;
    };
    const langOf = (el) => {
      const tag = (el.getAttribute('lang') || document.documentElement.lang || 'en').slice(0, 2);
      return words[tag] ? tag : 'en';
    };
    const merchantOf = (el) =>
      el.getAttribute('merchant') || (script && script.getAttribute('data-merchant')) || '';

    // The panel module, loaded once for every widget on the page.
    function load(el) {
      if (!state.loading) {
        state.loading = import(base + panelFile).then((m) => m.createPanel({
          base, merchant: merchantOf(el), lang: langOf(el),
          token: () => state.token, theme: () => state.theme,
        })).then((p) => {
          state.panel = p;
          for (const w of state.widgets) if (w.launcher) p.attach(w);
          return p;
        });
        state.loading.catch(() => { state.loading = null; });
      }
      return state.loading;
    }

    class KopilkaWidget extends HTMLElement {
      connectedCallback() {
        state.widgets.add(this);
        this.build();
      }
      build() {
        if (this.shadowRoot) return;
        const root = this.attachShadow({ mode: 'open' });
        root.adoptedStyleSheets = [styles()];
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'launcher';
        b.setAttribute('part', 'launcher');
        b.setAttribute('aria-haspopup', 'dialog');
        b.setAttribute('aria-expanded', 'false');
        b.textContent = words[langOf(this)];  // the coin before it is the style's
        const intent = () => { load(this); };
        for (const type of ['pointerenter', 'focus', 'touchstart'])
          b.addEventListener(type, intent, { once: true, passive: true });
        b.addEventListener('click', () => this.open());
        root.appendChild(b);
        this.launcher = b;
        this.label = b;
        if (state.panel) state.panel.attach(this);
        if (this.hasAttribute('preview')) this.open();
      }
      disconnectedCallback() { state.widgets.delete(this); }
      open() {
        this.build();
        return load(this).then((p) => p.open(this)).catch(() => {
          this.label.textContent = words[langOf(this)] + ' ⚠';
        });
      }
    }

    class KopilkaPoints extends HTMLElement {
      connectedCallback() {
        if (this.seen) return;
        this.seen = true;
        const io = new IntersectionObserver((entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          io.disconnect();
          load(this).then((p) => p.points(this)).catch(() => {});
        });
        io.observe(this);
      }
    }

    customElements.define('kopilka-widget', KopilkaWidget);
    customElements.define('kopilka-points', KopilkaPoints);
    const merchant = script && script.getAttribute('data-merchant');
    if (merchant && !document.querySelector('kopilka-widget')) {
      const el = document.createElement('kopilka-widget');
      el.setAttribute('merchant', merchant);
      const lang = script.getAttribute('data-lang');
      if (lang) el.setAttribute('lang', lang);
      document.body.appendChild(el);
    }
    return true;
  }

  // The <script> that loaded this file, or null. Tag managers may remove it once it ran: then the
  // page's resource timing still has the URL (the base of the panel's files), without the data-*.
  function ownScript() {
    const mine = (url) => /\/kopilka\.js(?:[?#]|$)/.test(url);
    for (const s of document.querySelectorAll('script[src*="/kopilka.js"]')) if (mine(s.src)) return s;
    const entry = performance.getEntriesByType('resource').find((e) => mine(e.name));
    return entry ? { src: entry.name, getAttribute: () => null } : null;
  }
})();
