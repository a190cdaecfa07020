// xterm.js styles itself with <style> elements and, for true-colour cells, style attributes;
// the renderer's Content-Security-Policy (style-src 'self', no 'unsafe-inline') refuses both,
// and xterm takes no nonce (xtermjs/xterm.js#4445). Styles set through the CSSOM are not inline
// styles, so in the VM window:
//  - a <style> element created by script is a hidden <vireo-style> element whose text becomes a
//    constructed stylesheet adopted by the document while the element is connected;
//  - setAttribute('style', text) sets element.style.cssText.
// Nothing else in the renderer creates <style> elements or style attributes.
const TAG = 'vireo-style';

class AdoptedStyle extends HTMLElement {
  readonly styleSheet = new CSSStyleSheet();
  private readonly observer = new MutationObserver(() => this.sync());

  connectedCallback(): void {
    this.hidden = true;
    this.observer.observe(this, { childList: true, characterData: true, subtree: true });
    this.sync();
    if (!document.adoptedStyleSheets.includes(this.styleSheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.styleSheet];
  }

  disconnectedCallback(): void {
    this.observer.disconnect();
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== this.styleSheet);
  }

  private sync(): void {
    this.styleSheet.replaceSync(this.textContent ?? '');
  }
}

let installed = false;

/** Idempotent; call before creating a Terminal. */
export function installCspStyleShims(): void {
  if (installed) return;
  installed = true;
  if (!customElements.get(TAG)) customElements.define(TAG, AdoptedStyle);
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions): HTMLElement {
    return createElement.call(this, tagName.toLowerCase() === 'style' ? TAG : tagName, options);
  } as typeof Document.prototype.createElement;
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string): void {
    if (name.toLowerCase() === 'style' && (this instanceof HTMLElement || this instanceof SVGElement)) {
      this.style.cssText = value;
      return;
    }
    setAttribute.call(this, name, value);
  };
}
