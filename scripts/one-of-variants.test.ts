import { oneOfProblems } from './one-of-variants';

const contract = (variants: Record<string, string[]>, discriminator?: object) => ({
  components: {
    schemas: {
      ...Object.fromEntries(Object.entries(variants).map(([name, required]) => [name, { type: 'object', required }])),
      Data: { oneOf: Object.keys(variants).map((name) => ({ $ref: `#/components/schemas/${name}` })), ...(discriminator ? { discriminator } : {}) },
    },
  },
});

describe("the SDK tells a oneOf's variants apart", () => {
  it('when every variant requires a property no other requires all of, then generation goes on', () => {
    expect(oneOfProblems(contract({ Operation: ['id', 'reference'], Disabled: ['endpointId', 'disabledAt'], Change: ['cardId', 'from'] }))).toEqual([]);
  });

  it("when a variant's required properties are all required by another, then generation is refused, naming both", () => {
    expect(oneOfProblems(contract({ Operation: ['id', 'cardId', 'reference'], Change: ['cardId'] }))).toEqual([
      "#/components/schemas/Data: Change's required properties (cardId) are all required by Operation too: the SDK could not tell them apart (require a property of its own, or add a discriminator)",
    ]);
  });

  it('when the oneOf has a discriminator, then the discriminator reads it and the required properties do not matter', () => {
    expect(oneOfProblems(contract({ Operation: ['id'], Change: ['id'] }, { propertyName: 'id' }))).toEqual([]);
  });
});
