import { describe, expect, it } from 'vitest';
import { KestrelError } from '../../../runtime/index.js';
import { builtinScenario, builtinScenarioNames, loadScenario, parseScenario } from '../../../sim/index.js';
import { scenario } from '../fixtures.js';

describe('built-in scenarios', () => {
  it.each(['forest-fire', 'forest-fire-night', 'dark-factory', 'perimeter'])(
    '%s validates and loads by name',
    async (name) => {
      expect(builtinScenarioNames).toContain(name);
      const s = await loadScenario(name);
      expect(s.name).toBe(name);
    },
  );

  it('forest-fire is a 400 x 300 m forest with a fuel-free village at x 300-420, y 240-320', () => {
    const s = builtinScenario('forest-fire')!;
    expect(s.fire?.fuel[0]?.polygon).toEqual([
      [0, 0],
      [400, 0],
      [400, 300],
      [0, 300],
    ]);
    expect(s.ground.areas.find((a) => a.name === 'village')?.polygon).toEqual([
      [300, 240],
      [420, 240],
      [420, 320],
      [300, 320],
    ]);
    expect(s.buildings.length).toBeGreaterThan(0);
  });

  it('dark-factory has a 60 x 30 m hall and the press line at x 20-30, y 10-20', () => {
    const s = builtinScenario('dark-factory')!;
    expect(s.walls[0]?.points).toEqual([
      [0, 0],
      [60, 0],
      [60, 30],
      [0, 30],
      [0, 0],
    ]);
    expect(s.obstacles.find((o) => o.name === 'press-line')?.polygon).toEqual([
      [20, 10],
      [30, 10],
      [30, 20],
      [20, 20],
    ]);
  });

  it('EXPECTED FAILURE - an invalid scenario names every bad path', () => {
    const bad = {
      ...scenario(),
      bounds: { minX: 0, minY: 0, maxX: -1, maxY: 10 },
      obstacles: [
        {
          polygon: [
            [0, 0],
            [1, 1],
          ],
          heightM: 2,
        },
      ],
    };
    try {
      parseScenario(bad, 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KestrelError);
      const e = error as KestrelError;
      expect(e.code).toBe('sim.scenario_invalid');
      const paths = e.issues.map((i) => i.path.join('.'));
      expect(paths).toContain('bounds');
      expect(paths).toContain('obstacles.0.polygon');
    }
  });

  it('BAD CALL - an unknown scenario name is sim.scenario_not_found', async () => {
    await expect(loadScenario('moon-base')).rejects.toMatchObject({ code: 'sim.scenario_not_found' });
  });
});
