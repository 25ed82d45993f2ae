import { describe, expect, it } from 'vitest';
import { CELL_BURNING, CELL_EXTINGUISHED, FireGrid, RandomSource, parseScenario } from '../../../sim/index.js';
import { FUEL_SQUARE, scenario } from '../fixtures.js';

function grid(windMps = 0, seed = 1): FireGrid {
  const sc = parseScenario(
    scenario({
      fire: {
        cellM: 5,
        fuel: [FUEL_SQUARE],
        spreadPerS: 0.05,
        burnTimeS: 600,
        waterPerCellL: 8,
      },
    }),
  );
  return new FireGrid(
    { bounds: sc.bounds, spec: sc.fire!, wind: { speedMps: windMps, towardRad: 0 } },
    new RandomSource(seed).stream('fire'),
  );
}

describe('FireGrid', () => {
  it('ignites a fuel cell and spreads to its neighbours over time', () => {
    const f = grid();
    expect(f.ignite(50, 50)).toBe(true);
    expect(f.burningCount).toBe(1);
    for (let t = 0; t < 120; t += 0.1) f.step(0.1);
    expect(f.burningCount).toBeGreaterThan(5);
  });

  it('spreads further downwind than upwind', () => {
    const f = grid(6);
    f.ignite(50, 50);
    for (let t = 0; t < 150; t += 0.1) f.step(0.1);
    let east = 0;
    let west = 0;
    for (const i of f.burningCells()) {
      const x = f.cellCenterX(i);
      if (x > 55) east++;
      if (x < 45) west++;
    }
    expect(east).toBeGreaterThan(west * 2);
  });

  it('does not burn where there is no fuel', () => {
    const f = grid();
    expect(f.ignite(150, 150)).toBe(false);
  });

  it('is put out by enough water within range, and wet cells resist ignition', () => {
    const f = grid();
    f.ignite(50, 50);
    for (let t = 0; t < 30; t += 0.1) f.step(0.1);
    const burning = [...f.burningCells()];
    expect(burning.length).toBeGreaterThan(0);
    // 8 L puts out a fully burning cell: pour 10 L per burning cell in one go.
    const reached = f.applyWater(50, 50, 40, 10 * burning.length);
    expect(reached).toBe(burning.length);
    expect(f.burningCount).toBe(0);
    for (const i of burning) expect(f.state[i]).toBe(CELL_EXTINGUISHED);
    expect(f.ignite(50, 50)).toBe(false);
  });

  it('keeps burning where the water does not reach', () => {
    const f = grid();
    f.ignite(20, 20);
    f.applyWater(80, 80, 5, 100);
    expect(f.state[f.cellAt(20, 20)]).toBe(CELL_BURNING);
  });

  it('spreads identically for the same seed', () => {
    const a = grid(3, 9);
    const b = grid(3, 9);
    a.ignite(50, 50);
    b.ignite(50, 50);
    for (let t = 0; t < 100; t += 0.1) {
      a.step(0.1);
      b.step(0.1);
    }
    expect([...a.state]).toEqual([...b.state]);
  });
});
