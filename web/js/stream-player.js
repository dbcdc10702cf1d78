// stream-player.js - the Play / Pause loop of a streaming visualiser (the gate
// sections): steps at a fixed rate while playing and on screen, redraws after
// the frames that stepped; the Play button; reduced motion (the stream starts
// paused and stops when the setting is turned on, unless the reader pressed Play).
import { reducedMotion, showPlaying, visibility } from './util.js';

/**
 * card: the element whose visibility gates the loop; button: the Play / Pause
 * button (.label and [aria-hidden] icon inside); step(), draw(): one stream
 * step, a redraw. Returns { playing, setPlaying(on) }; it starts as reduced
 * motion says.
 */
export function streamPlayer({ card, button, step, draw, stepsPerSecond = 24 }) {
  const state = { playing: !reducedMotion.matches, touched: false, acc: 0, lastTime: 0 };
  const vis = visibility(card, (v) => { if (v && state.playing) loop(); });
  let raf = 0;
  function loop() {
    if (raf) return;
    state.lastTime = performance.now();
    const frame = (now) => {
      raf = 0;
      if (!state.playing || !vis.visible) return;
      state.acc += Math.min(200, now - state.lastTime) * (stepsPerSecond / 1000);
      state.lastTime = now;
      let stepped = false;
      while (state.acc >= 1) { step(); state.acc -= 1; stepped = true; }
      if (stepped) draw();
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
  }
  function setPlaying(on) {
    state.playing = on;
    showPlaying(button, on);
    if (on) loop();
  }
  button.addEventListener('click', () => { state.touched = true; setPlaying(!state.playing); });
  reducedMotion.addEventListener('change', () => { if (reducedMotion.matches && !state.touched) setPlaying(false); });
  return { get playing() { return state.playing; }, setPlaying };
}
