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
  const script = document.currentScript;
  const base = new URL('.', script ? script.src : location.href).href;
  const panelFile = 'panel.js';  // the staged stub names the hashed panel here
  const words = {
    en: 'Rewards', ru: 'Бонусы', de: 'Prämien', lv: 'Bonusi',
  };
  const css = `:host{all:initial;position:fixed;z-index:2147483000;right:20px;bottom:20px;
font:inherit;font-family:var(--kopilka-font,inherit)}
.launcher{display:inline-flex;align-items:center;gap:.5em;min-height:48px;padding:0 20px;
border:0;border-radius:var(--kopilka-radius,24px);background:var(--kopilka-accent,#d14723);
color:var(--kopilka-accent-text,#fff);font:600 16px/1.2 var(--kopilka-font,system-ui,sans-serif);
box-shadow:0 4px 16px rgba(0,0,0,.2);cursor:pointer}
.launcher:focus-visible{outline:3px solid var(--kopilka-text,#1f242b);outline-offset:3px}
.launcher svg{width:20px;height:20px;fill:currentColor}
@media (prefers-reduced-motion:no-preference){.launcher{transition:transform .15s}
.launcher:hover{transform:translateY(-2px)}}
:host([preview]){position:relative;display:block;right:auto;bottom:auto;z-index:auto;
width:100%;height:100%;overflow:hidden}
:host([preview]) .launcher{position:absolute;right:16px;bottom:16px}`;
  let sheet = null;
  const styles = () => {
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(css); }
    return sheet;
  };
  const state = { token: null, panel: null, loading: null, theme: null, widgets: new Set() };
  const langOf = (el) => {
    const tag = (el.getAttribute('lang') || document.documentElement.lang || 'en').slice(0, 2);
    return words[tag] ? tag : 'en';
  };
  const merchantOf = (el) =>
    el.getAttribute('merchant') || (script && script.dataset.merchant) || '';

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

  // The first idle moment after the page has been parsed (a timer where requestIdleCallback is
  // missing), at most a second later.
  const idle = (f) => (window.requestIdleCallback
    ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 1));

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
      b.part = 'launcher';
      b.setAttribute('aria-haspopup', 'dialog');
      b.setAttribute('aria-expanded', 'false');
      const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      icon.setAttribute('viewBox', '0 0 24 24');
      icon.setAttribute('aria-hidden', 'true');
      const path = document.createElementNS(icon.namespaceURI, 'path');
      path.setAttribute('d', 'M20 7h-2.2A3 3 0 0 0 12 3.8 3 3 0 0 0 6.2 7H4a1 1 0 0 0-1 1v3' +
        'a1 1 0 0 0 1 1h1v8a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-8h1a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1z' +
        'M9 5a1 1 0 0 1 1 1v1H8.5A1 1 0 0 1 9 5zm4 15h-2v-8h2zm1-13V6a1 1 0 1 1 1 1z');
      icon.append(path);
      const label = document.createElement('span');
      label.textContent = words[langOf(this)];
      b.append(icon, label);
      const intent = () => { load(this); };
      for (const type of ['pointerenter', 'focus', 'touchstart'])
        b.addEventListener(type, intent, { once: true, passive: true });
      b.addEventListener('click', () => this.open());
      root.append(b);
      this.launcher = b;
      this.label = label;
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
  // Defining the elements builds every launcher on the page (and adds one for data-merchant).
  let started = false;
  function start() {
    if (started) return;
    started = true;
    customElements.define('kopilka-widget', KopilkaWidget);
    customElements.define('kopilka-points', KopilkaPoints);
    if (script && script.dataset.merchant && !document.querySelector('kopilka-widget')) {
      const el = document.createElement('kopilka-widget');
      el.setAttribute('merchant', script.dataset.merchant);
      if (script.dataset.lang) el.setAttribute('lang', script.dataset.lang);
      document.body.append(el);
    }
  }
  const later = () => idle(start);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', later);
  else later();
})();
