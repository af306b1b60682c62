/** Who ran a release check: the acting person ($CAIO_OPERATOR, else the OS user), never "unknown" when known. */
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultActor } from '../../../src/commands/release.js';

describe('defaultActor (who a `caio release check` names)', () => {
  it('names CAIO_OPERATOR before the shell user, as sign-offs do', () => {
    expect(defaultActor({ CAIO_OPERATOR: 'pat', USER: 'root' })).toBe('cli:pat');
    expect(defaultActor({ CAIO_OPERATOR: '  ', USER: 'deploy' })).toBe('cli:deploy');
  });

  it('falls back to the OS user when the environment names nobody (containers without USER)', () => {
    expect(defaultActor({})).toBe(`cli:${userInfo().username}`);
  });
});
