/* The hall board's voice: the server renders each call's announcement (the call
 * event names it), the board plays them one after another, never two at once.
 * A recall is a call of its own and is heard again. An announcement that waited
 * longer than maxAgeMs for its turn is dropped: the hall has moved on, and a
 * backlog read out minutes late (after the sound came back, say) only confuses.
 * One that neither ends nor fails within stallMs (a fetch that hangs) gives up
 * its turn, so one bad clip never silences the hall.
 */
"use strict";

class AnnouncementQueue {
  constructor({ maxAgeMs = 60000, stallMs = 30000 } = {}) {
    this.maxAgeMs = maxAgeMs;
    this.stallMs = stallMs;
    this.waiting = []; // {audio, queuedAt}, oldest first
    this.current = null;
  }

  /** Queue the announcement at url; it starts loading now so its turn has no gap. */
  add(url) {
    const audio = new Audio(url);
    audio.preload = "auto";
    this.waiting.push({ audio, queuedAt: Date.now() });
    this.next();
  }

  next() {
    while (!this.current && this.waiting.length) {
      const item = this.waiting.shift();
      if (Date.now() - item.queuedAt <= this.maxAgeMs) this.play(item);
    }
  }

  play(item) {
    this.current = item;
    const done = () => {
      if (this.current !== item) return;
      clearTimeout(stall);
      item.audio.pause();
      this.current = null;
      this.next();
    };
    const stall = setTimeout(done, this.stallMs);
    item.audio.addEventListener("ended", done);
    item.audio.addEventListener("error", done);
    // Refused (a browser started without the autoplay flag): skip, never wait.
    item.audio.play().catch(done);
  }
}
