import { parseBasic } from './basic';

const encode = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('parseBasic', () => {
  it('when the header is well formed, then it returns the key and secret', () => {
    expect(parseBasic(encode('ck_abc:cs_d:e'))).toEqual({ key: 'ck_abc', secret: 'cs_d:e' });
  });

  it('when the client form-encoded its credentials (RFC 6749 §2.3.1), then they are decoded', () => {
    expect(parseBasic(encode('ck%2Fa:cs%20b'))).toEqual({ key: 'ck/a', secret: 'cs b' });
  });

  it.each([undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', encode('no-colon'), encode(':secret'), encode('key:'), encode('ck:%E0%A4%A')])(
    'when the header is %p, then it is refused',
    (header) => {
      expect(parseBasic(header)).toBeNull();
    },
  );
});
