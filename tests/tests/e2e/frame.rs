//! The window at the sizes people use, light and dark: a screenshot of each, and a check that no
//! text is cut, squeezed or lying on other text.

use gkchat_tests::desktop::shots_dir;
use gkchat_tests::webdriver::Session;

/// The default window, and a common laptop screen.
pub const SIZES: [(u32, u32); 2] = [(1100, 720), (1440, 900)];

/// Finds text that is cut off by a box that hides overflow (an ellipsis is fine where it leaves
/// room for a few letters), squeezed into a column of single letters, wider than the window, or
/// overlapping other text. Text under an overlay (a dialog, a menu: something fixed, or
/// positioned with a z-index, that is not part of the text's own box) is not looked at.
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const describe = (el) => {
  const id = el.closest('[data-testid]');
  return (id ? `[data-testid=${id.dataset.testid}] ` : '') + el.tagName.toLowerCase();
};
const shown = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
  }
  const r = el.getBoundingClientRect();
  return r.width > 1 && r.height > 1;
};
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
}
const items = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const text = node.textContent.trim();
  const el = node.parentElement;
  if (!text || !el || !shown(el) || el.closest('svg, script, style, .visually-hidden')) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
  if (!rects.length) continue;
  // What of it shows: inside the window and every box that scrolls or hides overflow (text
  // scrolled out of a list or a panel is not on show).
  let clip = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
  for (let box = el.parentElement; box && box !== document.documentElement; box = box.parentElement) {
    const style = getComputedStyle(box);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const b = box.getBoundingClientRect();
    clip = {
      left: Math.max(clip.left, b.left),
      top: Math.max(clip.top, b.top),
      right: Math.min(clip.right, b.right),
      bottom: Math.min(clip.bottom, b.bottom),
    };
  }
  const showing = rects
    .map((r) => DOMRect.fromRect({
      x: Math.max(r.left, clip.left),
      y: Math.max(r.top, clip.top),
      width: Math.min(r.right, clip.right) - Math.max(r.left, clip.left),
      height: Math.min(r.bottom, clip.bottom) - Math.max(r.top, clip.top),
    }))
    .filter((r) => r.width > 1 && r.height > 1);
  if (!showing.length) continue;
  const size = parseFloat(getComputedStyle(el).fontSize) || 14;
  // Under an overlay at every line: not on show, not judged. (Text lying on text in the
  // page's flow is not an overlay: the pair is compared below.)
  const overlay = (top) => {
    for (let e = top; e && !e.contains(el); e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.position === 'fixed' || (style.position !== 'static' && style.zIndex !== 'auto')) return true;
    }
    return false;
  };
  const covered = showing.every((r) => {
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return top && !el.contains(top) && !top.contains(el) && overlay(top);
  });
  if (covered) continue;
  items.push({ el, text, rects: showing });
  // A column of letters: many lines, each hardly wider than a letter.
  if (text.length > 3 && rects.length > 3 && rects.every((r) => r.width < size * 1.5)) {
    problems.push(`${describe(el)}: "${text.slice(0, 40)}" is squeezed into ${rects.length} lines`);
    continue;
  }
  // Cut by a box that hides what overflows it (any of them up the tree).
  let ellipsisSeen = false;
  for (let box = el; box && box !== document.body; box = box.parentElement) {
    const style = getComputedStyle(box);
    const hidesX = style.overflowX === 'hidden' || style.overflowX === 'clip';
    const hidesY = style.overflowY === 'hidden' || style.overflowY === 'clip';
    if (!hidesX && !hidesY) continue;
    const b = box.getBoundingClientRect();
    const cutX = hidesX && rects.some((r) => r.right > b.right + 1 || r.left < b.left - 1);
    const cutY = hidesY && rects.some((r) => r.bottom > b.bottom + 2 || r.top < b.top - 2);
    const clamped = style.webkitLineClamp && style.webkitLineClamp !== 'none';
    if (cutX && !ellipsisSeen && style.textOverflow === 'ellipsis' && !cutY) {
      // An ellipsis: fine while it leaves room for a few letters; then only what lies beyond
      // the ellipsised box counts.
      if (b.width < size * 3) problems.push(`${describe(el)}: "${text.slice(0, 40)}" ellipsised to ${Math.round(b.width)}px`);
      ellipsisSeen = true;
      rects.splice(0, rects.length, ...rects.map((r) => DOMRect.fromRect({ x: Math.max(r.left, b.left), y: r.top, width: Math.max(0, Math.min(r.right, b.right) - Math.max(r.left, b.left)), height: r.height })));
    } else if ((cutX || cutY) && !clamped) {
      problems.push(`${describe(el)}: "${text.slice(0, 40)}" is cut by ${describe(box)}`);
      break;
    }
  }
}
const overlap = (a, b) =>
  Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
for (let i = 0; i < items.length; i++) {
  for (let j = i + 1; j < items.length; j++) {
    const [a, b] = [items[i], items[j]];
    if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    if (a.rects.some((r) => b.rects.some((q) => overlap(r, q)))) {
      problems.push(`"${a.text.slice(0, 30)}" (${describe(a.el)}) lies on "${b.text.slice(0, 30)}" (${describe(b.el)})`);
    }
  }
}
return problems.slice(0, 20);
"#;

/// Shows that the check finds what it looks for: a text cut by a narrow box, and a text laid
/// over another, put into the page for the moment.
pub async fn the_check_sees_problems(session: &Session) {
    let planted = r#"
        const box = document.createElement('div');
        box.id = 'planted';
        box.style.cssText = 'position:fixed;left:10px;top:10px;width:40px;overflow:hidden;white-space:nowrap;z-index:99;background:#fff';
        box.textContent = 'a sentence far too long for its box';
        const over = document.createElement('div');
        over.id = 'planted-over';
        over.style.cssText = 'position:fixed;left:30px;top:10px;z-index:100';
        over.textContent = 'on top';
        document.body.append(box, over);
    "#;
    session.execute(planted, serde_json::json!([])).await;
    let problems = session.execute(LAYOUT_PROBLEMS, serde_json::json!([])).await;
    session
        .execute(
            "document.getElementById('planted').remove(); document.getElementById('planted-over').remove();",
            serde_json::json!([]),
        )
        .await;
    let problems: Vec<String> = serde_json::from_value(problems).unwrap_or_default();
    let found = |what: &str| problems.iter().any(|p| p.contains(what));
    assert!(found("on top") && found("is cut by"), "the layout check missed planted problems: {problems:?}");
}

/// Sets the theme the way the app's own choice does (`<html data-theme>`).
async fn set_theme(session: &Session, theme: &str) {
    session.execute("document.documentElement.dataset.theme = arguments[0];", serde_json::json!([theme])).await;
}

/// Saves `name-<width>x<height>-<theme>.png` at each of [`SIZES`], light and dark, and fails
/// when the layout has a problem there. Leaves the window at its default size and in the theme
/// it had.
pub async fn every_frame(session: &Session, name: &str) {
    let before =
        session.execute("return document.documentElement.dataset.theme ?? 'light';", serde_json::json!([])).await;
    for (width, height) in SIZES {
        session.set_window_size(width, height).await.expect("the window resizes");
        for theme in ["light", "dark"] {
            set_theme(session, theme).await;
            session.settle().await;
            let shot = session.screenshot().await;
            std::fs::write(shots_dir().join(format!("{name}-{width}x{height}-{theme}.png")), shot).unwrap();
            let problems = session.execute(LAYOUT_PROBLEMS, serde_json::json!([])).await;
            let problems: Vec<String> = serde_json::from_value(problems).unwrap_or_default();
            if !problems.is_empty() {
                session.save_failure_evidence().await;
                panic!("{name} at {width}x{height} ({theme}):\n  {}", problems.join("\n  "));
            }
        }
    }
    let (width, height) = SIZES[0];
    session.set_window_size(width, height).await.expect("the window resizes");
    set_theme(session, before.as_str().unwrap_or("light")).await;
}
