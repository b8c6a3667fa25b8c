import { checkHandlerKeys } from './routes';
import { handlers } from '../handlers';

const raw = { createToken: () => undefined, getOpenApiJson: () => undefined, getOpenApiYaml: () => undefined, getDocs: () => undefined, revokeToken: () => undefined, introspectToken: () => undefined };

describe('checkHandlerKeys', () => {
  it('when every operation has exactly one handler, then the server may start', () => {
    expect(() => checkHandlerKeys(handlers, raw)).not.toThrow();
  });

  it('when a handler names an operationId the contract does not define, then the server refuses to start', () => {
    expect(() => checkHandlerKeys({ ...handlers, getCardBalance: async () => ({}) }, raw)).toThrow(/getCardBalance/);
  });

  it('when an operation has no handler, then the server refuses to start', () => {
    const { getHealth: _dropped, ...rest } = handlers;
    expect(() => checkHandlerKeys(rest, raw)).toThrow(/getHealth/);
  });
});
