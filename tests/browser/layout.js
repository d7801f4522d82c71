// What a phone-sized page must not do, measured in the browser: returns a list of
// problems (empty when the page is fine). Loaded by tests/browser/layout.py.
() => {
  const problems = [];
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) { s += "#" + e.id; parts.unshift(s); break; }
      if (e.classList.length) s += "." + Array.from(e.classList).slice(0, 2).join(".");
      parts.unshift(s);
    }
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return parts.join(" > ") + (text ? ` "${text}"` : "");
  };
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden") return true;
      if (s.clip === "rect(0px, 0px, 0px, 0px)" || (s.position === "absolute" && e.clientWidth <= 1)) return true;
      if (e.tagName === "DETAILS" && !e.open && e !== el) {
        // Only the summary of a closed <details> shows.
        if (!(el.closest("summary") && el.closest("details") === e)) return true;
      }
    }
    return false;
  };
  const scrollerOf = (el) => {
    for (let e = el.parentElement; e && e !== doc && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === "auto" || o === "scroll") return e;
    }
    return null;
  };

  // 1. Nothing wider than the screen.
  if (doc.scrollWidth > vw + 1) problems.push(`page scrolls sideways: ${doc.scrollWidth}px wide at ${vw}px`);
  const all = Array.from(document.body.querySelectorAll("*"));
  const outside = [];
  for (const el of all) {
    if (["SCRIPT", "STYLE", "TEMPLATE", "OPTION"].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.right <= vw + 1 && r.left >= -1) continue;
    if (scrollerOf(el) || hidden(el)) continue;
    if (outside.some((o) => o.contains(el))) continue;
    outside.push(el);
    problems.push(`sticks out of the screen (${Math.round(r.left)}–${Math.round(r.right)}px): ${describe(el)}`);
  }

  // 2. What scrolls sideways shows that it does (a fade on the side with more).
  for (const el of all) {
    const o = getComputedStyle(el).overflowX;
    if (o !== "auto" && o !== "scroll") continue;
    if (el.scrollWidth <= el.clientWidth + 1 || hidden(el)) continue;
    const s = getComputedStyle(el);
    const mask = s.maskImage || s.webkitMaskImage || "none";
    if (mask === "none") problems.push(`scrolls sideways with no cue: ${describe(el)}`);
  }

  // 3. No text stacked a character or two per line.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, "");
    if (text.length < 3 || hidden(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size >= 3 && text.length / tops.size <= 2) {
      problems.push(`text stacked ${tops.size} lines for ${text.length} characters: ${describe(node.parentElement)}`);
    }
  }

  // 4. Menus and tabs: every entry on screen or in a scroller that shows it scrolls;
  //    the current one in view.
  for (const link of document.querySelectorAll(".mainnav a, .tabs a")) {
    if (hidden(link)) continue;
    const r = link.getBoundingClientRect();
    const scroller = scrollerOf(link);
    if (link.getAttribute("aria-current") && (r.left < -1 || r.right > vw + 1)) {
      problems.push(`the current menu entry is off screen: ${describe(link)}`);
    }
    if ((r.left < -1 || r.right > vw + 1) && !scroller) problems.push(`menu entry off screen: ${describe(link)}`);
  }

  // 5. Money in the text's colour: red only for what is overdue or negative.
  const money = /^[-−]?\s*[¥￥]?\s*\d{1,3}(,\d{3})*(\.\d{1,2})?$/;
  for (const el of all) {
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    if (!own || !money.test(own) || hidden(el)) continue;
    if (!/[.,]/.test(own) && !el.closest(".money, [data-money]")) continue;  // a plain count
    const [r, g, b] = getComputedStyle(el).color.match(/\d+/g).map(Number);
    const red = r > 140 && g < 100 && b < 100;
    if (red && !/^[-−]/.test(own) && !el.closest(".overdue, .negative, .is-overdue")) {
      problems.push(`money in red but not negative: ${describe(el)}`);
    }
  }
  return problems;
}
