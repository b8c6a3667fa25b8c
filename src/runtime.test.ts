/** The supported runtime is Node.js 24: npm scripts run the node that npm ci installed. */
describe('runtime', () => {
  it('when the tests run through npm test, then they run on Node.js 24', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
