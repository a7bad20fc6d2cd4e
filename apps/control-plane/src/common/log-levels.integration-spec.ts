import { Logger } from '@nestjs/common';
import { startControlPlane } from '../../test/support/control-plane.js';

describe('PORTICO_LOG_LEVEL on a running control plane', () => {
  it('sets the levels of the Nest logger: warn keeps warnings and errors, drops info and debug', async () => {
    const cp = await startControlPlane({ PORTICO_LOG_LEVEL: 'warn' });
    try {
      expect(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'].map((l) => [l, Logger.isLevelEnabled(l as never)])).toEqual([
        ['fatal', true],
        ['error', true],
        ['warn', true],
        ['log', false],
        ['debug', false],
        ['verbose', false],
      ]);
    } finally {
      await cp.close();
    }
  });
});
