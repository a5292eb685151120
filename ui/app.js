// Routes /ui (the thread list) and /ui/threads/{id} (one thread) with the History API, so links are real URLs.
import { ApiError, apiKey } from './api.js';
import { errorBox } from './dom.js';
import { renderKeyPrompt } from './key-prompt.js';
import { renderThreadList } from './thread-list.js';
import { renderThread } from './thread-page.js';

const main = document.getElementById('main');
const forgetKey = document.getElementById('forget-key');

export function navigate(path) {
  history.pushState(null, '', path);
  route();
}

async function route() {
  // Each render fills a fresh view; a slower render of a page already left writes into a detached one.
  const view = document.createElement('div');
  main.replaceChildren(view);
  forgetKey.hidden = !apiKey.get();
  const thread = /^\/ui\/threads\/([^/]+)\/?$/.exec(location.pathname);
  try {
    if (thread) await renderThread(view, decodeURIComponent(thread[1]), { navigate });
    else await renderThreadList(view, new URLSearchParams(location.search), { navigate });
  } catch (error) {
    if (!view.isConnected) return;
    if (error instanceof ApiError && error.status === 401) {
      const rejected = apiKey.get() ? error : null;
      apiKey.clear();
      forgetKey.hidden = true;
      renderKeyPrompt(view, rejected, route);
    } else {
      view.replaceChildren(errorBox(error));
    }
  }
  if (!view.contains(document.activeElement)) view.querySelector('h1')?.focus({ preventScroll: true });
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="/ui"]');
  if (
    !link ||
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
forgetKey.addEventListener('click', () => {
  apiKey.clear();
  route();
});
window.addEventListener('popstate', route);
route();
