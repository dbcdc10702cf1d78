// locale.js - the reader's language tag, made safe for Intl before anything
// else runs (main.js imports this module first). A browser can report a tag
// that Intl rejects: WebKitGTK under LANG=C.UTF-8 says navigator.language is
// "C", and new Intl.NumberFormat('C') throws, so uPlot, which makes
// new Intl.NumberFormat(navigator.language) as it loads, and every chart with
// it would fail. Such a tag is replaced by 'en-US' for this page, whatever
// library reads it and whenever. (The page's own formatting uses 'en-US'.)
const FALLBACK = 'en-US';

/**
 * Whether Intl accepts `tag` for the calls the page and its libraries make.
 * The formatters reject exactly the tags that are not well-formed BCP 47, which
 * Intl.getCanonicalLocales rejects too, without loading any locale data: making
 * the first formatter here loaded ICU's data inside the page's first task
 * (40-55 ms of it on a Zen 4 core; this check takes ~0.1 ms).
 */
export function isUsableLocale(tag) {
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

/** The tag the browser reported when it had to be replaced, else null (shown in tests). */
export const replacedLanguage = isUsableLocale(navigator.language) ? null : String(navigator.language);

if (replacedLanguage !== null) {
  const usable = (navigator.languages ?? []).filter(isUsableLocale);
  Object.defineProperty(navigator, 'language', { value: usable[0] ?? FALLBACK, configurable: true });
  Object.defineProperty(navigator, 'languages', { value: Object.freeze(usable.length ? usable : [FALLBACK]), configurable: true });
}
