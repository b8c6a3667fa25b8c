/**
 * Access tokens for the SDK: gets a token with the client credentials grant, keeps it, and
 * gets a new one shortly before it expires. Concurrent calls share one token request.
 *
 *   const tokens = new ClientCredentialsTokenProvider({ basePath, consumerKey, consumerSecret });
 *   const partner = new PartnerApi(tokens.configuration());
 *   const me = await partner.getPartnerMe();
 */
import { OauthApi } from './apis';
import { cynodErrors } from './errors';
import { retryingFetch, type RetryOptions } from './retries';
import { Configuration, type FetchAPI } from './runtime';

export interface TokenProviderOptions {
  /** The API's base URL, e.g. https://api.cynod.example */
  basePath: string;
  consumerKey: string;
  consumerSecret: string;
  /** Space-delimited scopes to ask for; all the partner's scopes when omitted. */
  scope?: string;
  /** Get a new token this many seconds before the current one expires (default 60). */
  refreshMarginSeconds?: number;
  /** A fetch implementation (default: the global fetch). */
  fetchApi?: FetchAPI;
  /** Retries of safe failures (retries.ts); `false` sends each request once. */
  retry?: RetryOptions | false;
  /** The clock, in milliseconds (tests set it). */
  now?: () => number;
}

export class ClientCredentialsTokenProvider {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly oauth: OauthApi;
  private readonly now: () => number;

  constructor(private readonly options: TokenProviderOptions) {
    // Client authentication with HTTP Basic, as RFC 6749 recommends.
    this.oauth = new OauthApi(
      new Configuration({ basePath: options.basePath, username: options.consumerKey, password: options.consumerSecret, fetchApi: options.fetchApi }),
    );
    this.now = options.now ?? Date.now;
  }

  /** A valid access token: the kept one, or a new one when it expires within the margin. */
  async accessToken(): Promise<string> {
    const margin = (this.options.refreshMarginSeconds ?? 60) * 1000;
    if (this.token && this.token.expiresAt - margin > this.now()) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the kept token (after a 401, for instance). */
  invalidate(): void {
    this.token = undefined;
  }

  /**
   * An SDK configuration whose calls carry a fresh bearer token, retry safe failures (unless
   * `retry: false`) and throw a CynodError for an error answer.
   */
  configuration(): Configuration {
    const { basePath, fetchApi, retry } = this.options;
    return new Configuration({
      basePath,
      fetchApi: retry === false ? fetchApi : retryingFetch(basePath, retry, fetchApi),
      middleware: [cynodErrors],
      accessToken: async () => `Bearer ${await this.accessToken()}`,
    });
  }

  private async fetchToken(): Promise<string> {
    const requestedAt = this.now();
    const answer = await this.oauth.createToken({ grantType: 'client_credentials', scope: this.options.scope });
    this.token = { value: answer.access_token, expiresAt: requestedAt + answer.expires_in * 1000 };
    return answer.access_token;
  }
}
