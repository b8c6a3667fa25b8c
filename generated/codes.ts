// Generated from spec/ by `npm run generate`. Do not edit.

/** The result-code catalog (components.schemas.ErrorCode x-code-catalog), keyed by name. */
export const codeCatalog = {
  "OK": {
    "code": "0000",
    "status": 200,
    "meaning": "The operation succeeded.",
    "message": {
      "fr": "Opération réussie",
      "en": "Operation successful"
    }
  },
  "TOKEN_ISSUED": {
    "code": "0001",
    "status": 200,
    "meaning": "An access token was issued.",
    "message": {
      "fr": "Jeton d'accès délivré",
      "en": "Access token issued"
    }
  },
  "TOKEN_REVOKED": {
    "code": "0002",
    "status": 200,
    "meaning": "The token is revoked (or was unknown, which RFC 7009 answers the same way).",
    "message": {
      "fr": "Jeton révoqué",
      "en": "Token revoked"
    }
  },
  "AUTHENTICATION_REQUIRED": {
    "code": "1001",
    "status": 401,
    "meaning": "The operation needs credentials and the request carried none.",
    "message": {
      "fr": "Authentification requise",
      "en": "Authentication required"
    }
  },
  "TOKEN_INVALID": {
    "code": "1002",
    "status": 401,
    "meaning": "The access token is unknown, malformed, revoked, or its partner is disabled.",
    "message": {
      "fr": "Jeton d'accès invalide",
      "en": "Invalid access token"
    }
  },
  "TOKEN_EXPIRED": {
    "code": "1003",
    "status": 401,
    "meaning": "The access token has expired; get a new one from /oauth/token.",
    "message": {
      "fr": "Jeton d'accès expiré",
      "en": "Access token expired"
    }
  },
  "CLIENT_AUTHENTICATION_FAILED": {
    "code": "1004",
    "status": 401,
    "meaning": "The consumer-key and consumer-secret do not authenticate an active partner. The answer never says which of them was wrong.",
    "message": {
      "fr": "Identifiants client invalides",
      "en": "Invalid client credentials"
    }
  },
  "BASIC_NOT_ALLOWED": {
    "code": "1005",
    "status": 403,
    "meaning": "The partner is not allowed to call resource operations with HTTP Basic; use a bearer token.",
    "message": {
      "fr": "Authentification Basic non autorisée",
      "en": "Basic authentication not allowed"
    }
  },
  "INSUFFICIENT_SCOPE": {
    "code": "1006",
    "status": 403,
    "meaning": "The credential does not carry a scope the operation requires.",
    "message": {
      "fr": "Droits insuffisants pour cette opération",
      "en": "Insufficient rights for this operation"
    }
  },
  "INVALID_SCOPE": {
    "code": "1007",
    "status": 400,
    "meaning": "A requested scope is unknown or not granted to the partner (OAuth invalid_scope).",
    "message": {
      "fr": "Les droits demandés ne sont pas accordés",
      "en": "The requested rights are not granted"
    }
  },
  "UNSUPPORTED_GRANT_TYPE": {
    "code": "1008",
    "status": 400,
    "meaning": "The grant type is not client_credentials (OAuth unsupported_grant_type).",
    "message": {
      "fr": "Type d'autorisation non pris en charge",
      "en": "Unsupported grant type"
    }
  },
  "CREDENTIALS_SENT_TWICE": {
    "code": "1009",
    "status": 400,
    "meaning": "Client credentials were sent twice, with HTTP Basic and in the body or in two Authorization headers (OAuth invalid_request).",
    "message": {
      "fr": "Identifiants client envoyés deux fois",
      "en": "Client credentials sent twice"
    }
  },
  "INVALID_TOKEN_REQUEST": {
    "code": "1010",
    "status": 400,
    "meaning": "The token request is malformed (OAuth invalid_request); error_description says why.",
    "message": {
      "fr": "Demande de jeton invalide",
      "en": "Invalid token request"
    }
  },
  "RATE_LIMITED": {
    "code": "1011",
    "status": 429,
    "meaning": "The partner exceeded its rate limit (resource calls or token requests per minute); wait for the Retry-After delay.",
    "message": {
      "fr": "Trop de requêtes, réessayez plus tard",
      "en": "Too many requests, try again later"
    }
  },
  "IP_NOT_ALLOWED": {
    "code": "1012",
    "status": 403,
    "oauthStatus": 400,
    "meaning": "The partner's IP allow-list does not contain the address the call comes from (at the token, revocation and introspection endpoints: 400 unauthorized_client, RFC 6749 §5.2).",
    "message": {
      "fr": "Adresse IP non autorisée pour ce partenaire",
      "en": "IP address not allowed for this partner"
    }
  },
  "HTTPS_REQUIRED": {
    "code": "1013",
    "status": 403,
    "meaning": "The call came over plain HTTP from an address other than the server's own (loopback); call the API with https://. Public reads (GET /health, /ready, /openapi.json, /openapi.yaml, /docs) are exempt.",
    "message": {
      "fr": "HTTPS obligatoire",
      "en": "HTTPS required"
    }
  },
  "AUTH_LOCKED_OUT": {
    "code": "1014",
    "status": 429,
    "meaning": "Too many failed client authentications: from this address every attempt is refused, even with the right secret, and for this consumer-key every wrong secret, until the Retry-After delay.",
    "message": {
      "fr": "Trop d'échecs d'authentification, réessayez plus tard",
      "en": "Too many failed authentications, try again later"
    }
  },
  "SCOPE_NOT_HELD": {
    "code": "1015",
    "status": 403,
    "meaning": "The request grants scopes the caller's token does not carry (a partner grants only scopes it holds, and never widens its own); `errors` names them. Nothing was changed.",
    "message": {
      "fr": "Vous ne pouvez pas accorder des droits que vous n'avez pas",
      "en": "You cannot grant rights you do not hold"
    }
  },
  "CORE_SCOPE_NOT_INTERNAL": {
    "code": "1016",
    "status": 403,
    "meaning": "Core scopes (`core:*`) are for CYNOD's internal applications only and the partner is not internal; `errors` names the scopes. Nothing was changed.",
    "message": {
      "fr": "Droits réservés aux applications internes",
      "en": "Rights reserved to internal applications"
    }
  },
  "PARTNER_OUT_OF_REACH": {
    "code": "1017",
    "status": 403,
    "meaning": "The target partner holds scopes the caller's token does not carry, or is internal while the caller is not: the caller may not update, rotate, disable or enable it. Nothing was changed.",
    "message": {
      "fr": "Ce partenaire a plus de droits que vous",
      "en": "This partner holds more rights than you"
    }
  },
  "INTERNAL_FLAG_NOT_ALLOWED": {
    "code": "1018",
    "status": 403,
    "meaning": "Only an internal caller may create an internal partner or change whether a partner is internal, and nobody changes it on its own record. Nothing was changed.",
    "message": {
      "fr": "Seule une application interne peut changer ce réglage",
      "en": "Only an internal application can change this setting"
    }
  },
  "LEGACY_BALANCE_NOT_ALLOWED": {
    "code": "1030",
    "status": 403,
    "meaning": "The seed's deprecated balance enquiry (GET /get-solde-carte) is not enabled for this partner (it is off unless enabled per partner). Use POST /partner/v1/cards/lookup and GET /partner/v1/cards/{cardId} instead.",
    "message": {
      "fr": "Consultation de solde historique non autorisée",
      "en": "Legacy balance enquiry not allowed"
    }
  },
  "VALIDATION_FAILED": {
    "code": "2001",
    "status": 400,
    "meaning": "The request does not match the contract; `errors` lists each problem with its path.",
    "message": {
      "fr": "Requête invalide",
      "en": "Invalid request"
    }
  },
  "MALFORMED_JSON": {
    "code": "2002",
    "status": 400,
    "meaning": "The request body is not well-formed JSON.",
    "message": {
      "fr": "Corps de requête JSON mal formé",
      "en": "Malformed JSON request body"
    }
  },
  "UNSUPPORTED_MEDIA_TYPE": {
    "code": "2003",
    "status": 415,
    "meaning": "The request body's Content-Type is not one the operation accepts.",
    "message": {
      "fr": "Type de contenu non pris en charge",
      "en": "Unsupported content type"
    }
  },
  "PAYLOAD_TOO_LARGE": {
    "code": "2004",
    "status": 413,
    "meaning": "The request body exceeds the size limit.",
    "message": {
      "fr": "Corps de requête trop volumineux",
      "en": "Request body too large"
    }
  },
  "METHOD_NOT_ALLOWED": {
    "code": "2005",
    "status": 405,
    "meaning": "The path exists but not with this HTTP method; the Allow header lists the methods.",
    "message": {
      "fr": "Méthode non autorisée",
      "en": "Method not allowed"
    }
  },
  "AMOUNT_UNIT_INVALID": {
    "code": "2006",
    "status": 400,
    "meaning": "An amount is not in the unit this field requires (prices are in XOF).",
    "message": {
      "fr": "Unité de montant invalide",
      "en": "Invalid amount unit"
    }
  },
  "PRICES_INCONSISTENT": {
    "code": "2007",
    "status": 400,
    "meaning": "The prices of one energy price are not positive or increase from incl. tax down to excl. all taxes.",
    "message": {
      "fr": "Prix incohérents",
      "en": "Inconsistent prices"
    }
  },
  "UNIT_DEFINITION_INVALID": {
    "code": "2008",
    "status": 400,
    "meaning": "A volume unit needs an energy type and a money unit takes none.",
    "message": {
      "fr": "Définition d'unité invalide",
      "en": "Invalid unit definition"
    }
  },
  "CARD_NUMBER_INVALID": {
    "code": "2009",
    "status": 400,
    "meaning": "The card number fails its Luhn check digit.",
    "message": {
      "fr": "Numéro de carte invalide",
      "en": "Invalid card number"
    }
  },
  "IDEMPOTENCY_KEY_MISSING": {
    "code": "2010",
    "status": 400,
    "meaning": "This operation moves money and needs an `Idempotency-Key` header; send one (a new UUID per intended operation).",
    "message": {
      "fr": "Clé d'idempotence manquante",
      "en": "Idempotency key missing"
    }
  },
  "ROUTE_NOT_FOUND": {
    "code": "3001",
    "status": 404,
    "meaning": "No operation exists at this path.",
    "message": {
      "fr": "Ressource introuvable",
      "en": "Resource not found"
    }
  },
  "NETWORK_NOT_FOUND": {
    "code": "3002",
    "status": 404,
    "meaning": "No network has this id.",
    "message": {
      "fr": "Réseau introuvable",
      "en": "Network not found"
    }
  },
  "CLIENT_NOT_FOUND": {
    "code": "3003",
    "status": 404,
    "meaning": "No client has this id.",
    "message": {
      "fr": "Client introuvable",
      "en": "Client not found"
    }
  },
  "UNIT_NOT_FOUND": {
    "code": "3004",
    "status": 404,
    "meaning": "No unit has this code.",
    "message": {
      "fr": "Unité introuvable",
      "en": "Unit not found"
    }
  },
  "ENERGY_TYPE_NOT_FOUND": {
    "code": "3005",
    "status": 404,
    "meaning": "No energy type has this code.",
    "message": {
      "fr": "Type d'énergie introuvable",
      "en": "Energy type not found"
    }
  },
  "PRICE_NOT_IN_FORCE": {
    "code": "3006",
    "status": 404,
    "meaning": "The energy type has no price in force at this instant.",
    "message": {
      "fr": "Aucun prix en vigueur",
      "en": "No price in force"
    }
  },
  "CARD_PROFILE_NOT_FOUND": {
    "code": "3007",
    "status": 404,
    "meaning": "No card profile has this id.",
    "message": {
      "fr": "Profil de carte introuvable",
      "en": "Card profile not found"
    }
  },
  "CARD_NOT_FOUND": {
    "code": "3008",
    "status": 404,
    "meaning": "No card has this id or number.",
    "message": {
      "fr": "Carte introuvable",
      "en": "Card not found"
    }
  },
  "SERVICE_POINT_NOT_FOUND": {
    "code": "3009",
    "status": 404,
    "meaning": "No service point has this id.",
    "message": {
      "fr": "Point de service introuvable",
      "en": "Service point not found"
    }
  },
  "FUEL_TICKET_NOT_FOUND": {
    "code": "3010",
    "status": 404,
    "meaning": "No fuel-ticket value has this code.",
    "message": {
      "fr": "Valeur de ticket carburant introuvable",
      "en": "Fuel-ticket value not found"
    }
  },
  "PARTNER_NOT_FOUND": {
    "code": "3011",
    "status": 404,
    "meaning": "No partner has this id.",
    "message": {
      "fr": "Partenaire introuvable",
      "en": "Partner not found"
    }
  },
  "CONTRACT_NOT_FOUND": {
    "code": "3020",
    "status": 404,
    "meaning": "No contract of this partner has this id.",
    "message": {
      "fr": "Contrat introuvable",
      "en": "Contract not found"
    }
  },
  "OPERATION_NOT_FOUND": {
    "code": "3012",
    "status": 404,
    "meaning": "No operation has this id or reference.",
    "message": {
      "fr": "Opération introuvable",
      "en": "Operation not found"
    }
  },
  "ORDER_NOT_FOUND": {
    "code": "3013",
    "status": 404,
    "meaning": "No order voucher has this id.",
    "message": {
      "fr": "Bon de commande introuvable",
      "en": "Order voucher not found"
    }
  },
  "AUTHORIZATION_NOT_FOUND": {
    "code": "3014",
    "status": 404,
    "meaning": "No authorisation has this id.",
    "message": {
      "fr": "Autorisation introuvable",
      "en": "Authorisation not found"
    }
  },
  "VEHICLE_NOT_FOUND": {
    "code": "3015",
    "status": 404,
    "meaning": "No vehicle has this id.",
    "message": {
      "fr": "Véhicule introuvable",
      "en": "Vehicle not found"
    }
  },
  "DRIVER_NOT_FOUND": {
    "code": "3016",
    "status": 404,
    "meaning": "No driver has this id.",
    "message": {
      "fr": "Conducteur introuvable",
      "en": "Driver not found"
    }
  },
  "STATE_CONFLICT": {
    "code": "4001",
    "status": 409,
    "meaning": "The resource is not in a state that allows the request.",
    "message": {
      "fr": "Conflit avec l'état de la ressource",
      "en": "Conflict with the state of the resource"
    }
  },
  "DUPLICATE_CODE": {
    "code": "4002",
    "status": 409,
    "meaning": "Another resource of this kind already has this code.",
    "message": {
      "fr": "Ce code est déjà utilisé",
      "en": "This code is already in use"
    }
  },
  "PRICE_NOT_AFTER_LATEST": {
    "code": "4003",
    "status": 409,
    "meaning": "A new price must take effect after the latest price of the energy type; history is never rewritten.",
    "message": {
      "fr": "Le nouveau prix doit suivre le dernier prix",
      "en": "The new price must follow the latest price"
    }
  },
  "CLIENT_INACTIVE": {
    "code": "4004",
    "status": 409,
    "meaning": "The client is inactive; it gets no new card and its cards no new operation.",
    "message": {
      "fr": "Client inactif",
      "en": "Inactive client"
    }
  },
  "PROFILE_IN_USE": {
    "code": "4005",
    "status": 409,
    "meaning": "Cards use this profile; it cannot be deleted.",
    "message": {
      "fr": "Profil utilisé par des cartes",
      "en": "Profile used by cards"
    }
  },
  "CARD_TRANSITION_FORBIDDEN": {
    "code": "4006",
    "status": 409,
    "meaning": "The card's status does not allow this transition (debugMessage says which).",
    "message": {
      "fr": "Changement d'état de carte interdit",
      "en": "Card status change not allowed"
    }
  },
  "INSUFFICIENT_FUNDS": {
    "code": "4010",
    "status": 409,
    "meaning": "The account to debit does not have the available balance (posted minus open holds) the operation needs. `details` gives the account, its available balance, the amount requested and the account's version; recharge it, or ask for less.",
    "message": {
      "fr": "Solde insuffisant",
      "en": "Insufficient balance"
    }
  },
  "DRIVER_CODE_LOCKED": {
    "code": "4111",
    "status": 403,
    "meaning": "The card's driver code is locked after too many wrong codes in a row (its profile's `driverCodeMaxFailures`): an attempt with a code, even the right one, is refused until the driver's code is set again. The lock is recorded as a `driver-code.locked` security event.",
    "message": {
      "fr": "Code conducteur bloqué",
      "en": "Driver code locked"
    }
  },
  "DRIVER_CODE_REQUIRED": {
    "code": "4112",
    "status": 403,
    "meaning": "The card's profile requires the driver's code for a payment or a pump authorisation, and none was given.",
    "message": {
      "fr": "Code conducteur requis",
      "en": "Driver code required"
    }
  },
  "BALANCE_OUT_OF_BOUNDS": {
    "code": "4110",
    "status": 409,
    "meaning": "The operation would leave an account (a card, a partner's float, a station's E-service card) at a balance beyond what an amount can show (-10^12 to 10^12 in the unit's smallest denomination). `debugMessage` says which account and the balance it would reach. An offline fill refused for this is listed as refused with this code; nothing moved.",
    "message": {
      "fr": "Solde hors des limites autorisées",
      "en": "Balance out of the allowed bounds"
    }
  },
  "CARD_SUSPENDED": {
    "code": "4011",
    "status": 409,
    "meaning": "The card is suspended; it is debited again once reactivated.",
    "message": {
      "fr": "Carte suspendue",
      "en": "Card suspended"
    }
  },
  "CARD_OPPOSED": {
    "code": "4012",
    "status": 409,
    "meaning": "The card is opposed (lost, stolen, damaged, fraud); its balance can only be moved by a full transfer.",
    "message": {
      "fr": "Carte en opposition",
      "en": "Card opposed"
    }
  },
  "CARD_CANCELLED": {
    "code": "4013",
    "status": 409,
    "meaning": "The card is cancelled; no operation moves value on it.",
    "message": {
      "fr": "Carte annulée",
      "en": "Card cancelled"
    }
  },
  "CARD_EXPIRED": {
    "code": "4014",
    "status": 409,
    "meaning": "The card is past its expiry date; it is debited or credited again once renewed.",
    "message": {
      "fr": "Carte expirée",
      "en": "Card expired"
    }
  },
  "SERVICE_NOT_ALLOWED": {
    "code": "4015",
    "status": 409,
    "meaning": "The card's profile does not allow this service (fuel, lubricants, shop, car wash, maintenance).",
    "message": {
      "fr": "Service non autorisé pour cette carte",
      "en": "Service not allowed for this card"
    }
  },
  "UNIT_NOT_HELD": {
    "code": "4016",
    "status": 400,
    "meaning": "The card does not hold a balance in this unit (its profile's units), or the unit is unknown.",
    "message": {
      "fr": "Unité non détenue par la carte",
      "en": "Unit not held by the card"
    }
  },
  "SAME_ACCOUNT": {
    "code": "4017",
    "status": 400,
    "meaning": "The operation would debit and credit the same card.",
    "message": {
      "fr": "Carte débitrice et créditrice identiques",
      "en": "Same card debited and credited"
    }
  },
  "CARD_KIND_NOT_ALLOWED": {
    "code": "4018",
    "status": 400,
    "meaning": "The card is of a kind this operation does not accept (an E-service card cannot pay or be charged a fee).",
    "message": {
      "fr": "Type de carte non accepté pour cette opération",
      "en": "Card kind not accepted for this operation"
    }
  },
  "OPERATION_ALREADY_CANCELLED": {
    "code": "4019",
    "status": 409,
    "meaning": "The operation has already been cancelled; `cancelledBy` names the cancellation.",
    "message": {
      "fr": "Opération déjà annulée",
      "en": "Operation already cancelled"
    }
  },
  "CANCELLATION_NOT_CANCELLABLE": {
    "code": "4020",
    "status": 409,
    "meaning": "A cancellation is never cancelled; record a new operation instead.",
    "message": {
      "fr": "Une annulation ne peut pas être annulée",
      "en": "A cancellation cannot be cancelled"
    }
  },
  "FUEL_RECORD_INVALID": {
    "code": "4021",
    "status": 400,
    "meaning": "A fuel payment needs its fuel record (and another service none), in an energy type that exists and, for a payment in litres, the unit of that energy type.",
    "message": {
      "fr": "Relevé carburant invalide",
      "en": "Invalid fuel record"
    }
  },
  "RECEIPT_NUMBER_REUSED": {
    "code": "4022",
    "status": 409,
    "meaning": "The service point has already recorded a payment with this receipt number.",
    "message": {
      "fr": "Numéro de ticket déjà utilisé",
      "en": "Receipt number already used"
    }
  },
  "AMOUNT_MISMATCH": {
    "code": "4023",
    "status": 400,
    "meaning": "The amount is not the quantity times the unit price (rounded half up to the unit's scale).",
    "message": {
      "fr": "Montant incohérent avec la quantité et le prix",
      "en": "Amount inconsistent with quantity and price"
    }
  },
  "EXTERNAL_REFERENCE_REUSED": {
    "code": "4024",
    "status": 409,
    "meaning": "The partner already has an operation with this external reference.",
    "message": {
      "fr": "Référence externe déjà utilisée",
      "en": "External reference already used"
    }
  },
  "PARTNER_INACTIVE": {
    "code": "4025",
    "status": 409,
    "meaning": "The partner is disabled; its float is not funded or debited.",
    "message": {
      "fr": "Partenaire désactivé",
      "en": "Partner disabled"
    }
  },
  "TRANSFER_NOT_ALLOWED": {
    "code": "4026",
    "status": 409,
    "meaning": "The two cards belong to clients of different networks (a transfer stays within a client or a network; a full transfer within a client). A voucher is checked when it is entered, again when it is validated, and when it is executed.",
    "message": {
      "fr": "Transfert non autorisé entre ces cartes",
      "en": "Transfer not allowed between these cards"
    }
  },
  "FULL_TRANSFER_SOURCE_NOT_OPPOSED": {
    "code": "4027",
    "status": 409,
    "meaning": "A full transfer moves the balance of an opposed card only (or of a card cancelled while it held value, before cancellations moved balances); oppose the card first. Checked when the voucher is entered, again when it is validated, and when it is executed.",
    "message": {
      "fr": "La carte source n'est pas en opposition",
      "en": "The source card is not opposed"
    }
  },
  "NOTHING_TO_TRANSFER": {
    "code": "4028",
    "status": 409,
    "meaning": "The opposed card has no balance to move.",
    "message": {
      "fr": "Aucun solde à transférer",
      "en": "No balance to transfer"
    }
  },
  "IDEMPOTENCY_KEY_IN_FLIGHT": {
    "code": "4030",
    "status": 409,
    "meaning": "A request with this `Idempotency-Key` is still being processed; retry after `Retry-After` seconds to get its answer.",
    "message": {
      "fr": "Requête déjà en cours de traitement",
      "en": "Request already in progress"
    }
  },
  "IDEMPOTENCY_KEY_REUSED": {
    "code": "4031",
    "status": 422,
    "meaning": "This `Idempotency-Key` was used for another request (another operation, path or body); use a new key for a new operation.",
    "message": {
      "fr": "Clé d'idempotence déjà utilisée pour une autre requête",
      "en": "Idempotency key used for another request"
    }
  },
  "ORDER_STATUS_FORBIDS": {
    "code": "4040",
    "status": 409,
    "meaning": "The voucher's status does not allow this step (validate and reject an entered voucher, execute a validated one, cancel one entered or validated).",
    "message": {
      "fr": "L'état du bon de commande ne permet pas cette étape",
      "en": "The voucher's status does not allow this step"
    }
  },
  "SAME_ACTOR_FORBIDDEN": {
    "code": "4041",
    "status": 403,
    "meaning": "The author of a voucher cannot validate or reject it (maker-checker) unless they hold core:orders.chain; nor can a partner that is one identity with the author: one that the author created or that created the author, transitively, two created by one partner, or one whose live secret the other made (see `createdBy` on partners).",
    "message": {
      "fr": "L'auteur du bon ne peut pas le valider",
      "en": "The voucher's author cannot validate it"
    }
  },
  "AUTHORIZATION_EXPIRED": {
    "code": "4042",
    "status": 409,
    "meaning": "The authorisation expired before it was captured; its hold is released. Ask for a new one.",
    "message": {
      "fr": "Autorisation expirée",
      "en": "Authorisation expired"
    }
  },
  "CAPTURE_EXCEEDS_HOLD": {
    "code": "4043",
    "status": 409,
    "meaning": "The amount to capture is more than the authorisation holds (or in another unit).",
    "message": {
      "fr": "Montant supérieur à l'autorisation",
      "en": "Amount above the authorisation"
    }
  },
  "AUTHORIZATION_SETTLED": {
    "code": "4044",
    "status": 409,
    "meaning": "The authorisation has already been captured or voided.",
    "message": {
      "fr": "Autorisation déjà soldée",
      "en": "Authorisation already settled"
    }
  },
  "CONTROL_LIMITS_INCONSISTENT": {
    "code": "4050",
    "status": 400,
    "meaning": "Spending limits of one measure must grow with their period (per transaction ≤ per day ≤ per week ≤ per month); `errors` names each offending pair, the shorter period's path first. Nothing is stored.",
    "message": {
      "fr": "Plafonds incohérents",
      "en": "Inconsistent limits"
    }
  },
  "CONTROL_PRODUCTS_INVALID": {
    "code": "4051",
    "status": 400,
    "meaning": "The allowed products name a service the card profile does not allow, or energy types while fuel is not among the allowed services. Nothing is stored.",
    "message": {
      "fr": "Produits autorisés invalides",
      "en": "Invalid allowed products"
    }
  },
  "CONTROL_SCHEDULE_INVALID": {
    "code": "4052",
    "status": 400,
    "meaning": "A time window of the allowed days and hours does not end after it starts (`24:00` ends the day; a night window is two windows). Nothing is stored.",
    "message": {
      "fr": "Plage horaire invalide",
      "en": "Invalid time window"
    }
  },
  "AMOUNT_LIMIT_EXCEEDED": {
    "code": "4053",
    "status": 409,
    "meaning": "A hard money limit of the card's effective controls would be exceeded: `details` gives the rule, its source (card or profile), the period, the limit, what the period has used and holds, and the amount asked. Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Plafond de montant atteint",
      "en": "Amount limit reached"
    }
  },
  "VOLUME_LIMIT_EXCEEDED": {
    "code": "4054",
    "status": 409,
    "meaning": "A hard limit in litres would be exceeded (figures in millilitres in `details`, as for 4053). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Plafond de volume atteint",
      "en": "Volume limit reached"
    }
  },
  "TRANSACTION_LIMIT_EXCEEDED": {
    "code": "4055",
    "status": 409,
    "meaning": "A hard limit on the number of transactions in a period is reached (open authorisations count). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Nombre maximal de transactions atteint",
      "en": "Transaction count limit reached"
    }
  },
  "PRODUCT_NOT_ALLOWED": {
    "code": "4056",
    "status": 409,
    "meaning": "The card's hard product rule does not allow the service or the energy type (`details.allowed` lists what it allows). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Produit non autorisé pour cette carte",
      "en": "Product not allowed for this card"
    }
  },
  "LOCATION_NOT_ALLOWED": {
    "code": "4057",
    "status": 409,
    "meaning": "The card's hard location rule does not allow this service point (its allow-list does not hold it or its network, or its deny-list does). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Station non autorisée pour cette carte",
      "en": "Service point not allowed for this card"
    }
  },
  "OUTSIDE_ALLOWED_HOURS": {
    "code": "4058",
    "status": 409,
    "meaning": "The card's hard schedule rule does not allow this day and time, in the service point's time zone (`details.localTime`, `details.weekday`). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Carte non utilisable à cette heure",
      "en": "Card not usable at this time"
    }
  },
  "FILL_TOO_SOON": {
    "code": "4059",
    "status": 409,
    "meaning": "The card's hard fill-interval rule: its last fill was less than the minimum interval ago (`details.lastFillAt`, `details.minMinutes`). Nothing moves; the attempt is kept among the card's declines.",
    "message": {
      "fr": "Plein trop rapproché du précédent",
      "en": "Fill too soon after the previous one"
    }
  },
  "OFFLINE_BATCH_INVALID": {
    "code": "4060",
    "status": 400,
    "meaning": "An offline batch lists a terminal transaction id more than once (`errors` names each repeat). Nothing is booked.",
    "message": {
      "fr": "Lot hors ligne invalide",
      "en": "Invalid offline batch"
    }
  },
  "OFFLINE_FILL_IN_FUTURE": {
    "code": "4061",
    "status": 400,
    "meaning": "A fill of an offline batch took place in the future by the server's clock (5 minutes of clock drift allowed; `errors` names each). Nothing is booked.",
    "message": {
      "fr": "Transaction hors ligne datée dans le futur",
      "en": "Offline fill dated in the future"
    }
  },
  "OFFLINE_FILL_CONFLICT": {
    "code": "4062",
    "status": 409,
    "meaning": "The terminal transaction id was already booked for another fill (another card, amount or receipt): the fill is refused, the first one stands.",
    "message": {
      "fr": "Transaction hors ligne déjà enregistrée autrement",
      "en": "Offline fill already booked differently"
    }
  },
  "CONTRACT_EXISTS": {
    "code": "4063",
    "status": 409,
    "meaning": "The partner already has an active contract for this client or service point. Nothing is stored.",
    "message": {
      "fr": "Contrat déjà actif",
      "en": "Contract already active"
    }
  },
  "CONTRACT_ENDED": {
    "code": "4064",
    "status": 409,
    "meaning": "The contract has already ended; or a station captures an authorisation at a service point whose contract has ended (ending it voided the open ones; this one was placed as it ended): void it, or let it expire. Nothing moved.",
    "message": {
      "fr": "Contrat déjà terminé",
      "en": "Contract already ended"
    }
  },
  "FLEET_CLIENT_MISMATCH": {
    "code": "4070",
    "status": 409,
    "meaning": "The vehicle or the driver belongs to another client than the card; a card is linked only to its own client's vehicles and drivers. Nothing was changed.",
    "message": {
      "fr": "Véhicule ou conducteur d'un autre client",
      "en": "Vehicle or driver of another client"
    }
  },
  "VEHICLE_RETIRED": {
    "code": "4071",
    "status": 409,
    "meaning": "The vehicle is retired; no card is linked to it anew. Nothing was changed.",
    "message": {
      "fr": "Véhicule retiré",
      "en": "Vehicle retired"
    }
  },
  "DRIVER_RETIRED": {
    "code": "4072",
    "status": 409,
    "meaning": "The driver is retired; no card is issued to them anew. Nothing was changed.",
    "message": {
      "fr": "Conducteur retiré",
      "en": "Driver retired"
    }
  },
  "REGISTRATION_TAKEN": {
    "code": "4073",
    "status": 409,
    "meaning": "Another vehicle of the client has this registration (compared upper-case). Nothing was changed.",
    "message": {
      "fr": "Immatriculation déjà enregistrée",
      "en": "Registration already recorded"
    }
  },
  "DRIVER_CODE_INVALID": {
    "code": "4074",
    "status": 403,
    "meaning": "The driver code given at payment time is not the code of the driver the card is issued to. 403: the caller is authenticated, but the credential the driver presented does not allow the card's use. Nothing moves.",
    "message": {
      "fr": "Code conducteur invalide",
      "en": "Invalid driver code"
    }
  },
  "CARD_DECLINED": {
    "code": "4090",
    "status": 409,
    "meaning": "A station system (3rd Party API, through a service point contract) asked for a payment or an authorisation that the card cannot make: the number is no member card's, the card is suspended, opposed, cancelled or expired, its client inactive, or its available balance is below what is asked. One answer for every one of these, without figures or card id: a station reads neither a card's state nor its balance (only partners contracted for the card's client do). The reason is kept among the card's declines. Nothing moved.",
    "message": {
      "fr": "Carte refusée",
      "en": "Card declined"
    }
  },
  "OFFLINE_FILL_TOO_OLD": {
    "code": "4091",
    "status": 409,
    "meaning": "An offline fill dated before what it can be: more than the service point's offline window (`offlinePolicy.maxAgeDays`) before its upload, before the card was issued, or, uploaded by a station system, before the partner's contract for the service point began. The fill is refused (its result in the batch says which bound); nothing is booked.",
    "message": {
      "fr": "Transaction hors ligne trop ancienne",
      "en": "Offline fill too old"
    }
  },
  "OFFLINE_CEILING_EXCEEDED": {
    "code": "4092",
    "status": 409,
    "meaning": "An offline fill beyond a hard ceiling of the service point's offline policy, per fill or per day (in money or in litres); its result says which, with the figures. Nothing is booked.",
    "message": {
      "fr": "Plafond hors ligne de la station atteint",
      "en": "Station offline ceiling reached"
    }
  },
  "RECHARGE_LIMIT_EXCEEDED": {
    "code": "4080",
    "status": 409,
    "meaning": "The recharge would go beyond one of the partner's recharge limits (per operation, per day, or per card per day; days are UTC days; a recharge reversed or cancelled no longer counts); `details` names the limit and its figures. Nothing moved.",
    "message": {
      "fr": "Plafond de recharge atteint",
      "en": "Recharge limit reached"
    }
  },
  "REVERSAL_WINDOW_CLOSED": {
    "code": "4081",
    "status": 409,
    "meaning": "The operation is older than the reversal window of the 3rd Party API (24 hours); ask the issuer to cancel it.",
    "message": {
      "fr": "Délai d'annulation dépassé",
      "en": "Reversal window closed"
    }
  },
  "OPERATION_NOT_REVERSIBLE": {
    "code": "4082",
    "status": 409,
    "meaning": "A partner reverses only the recharges and payments it made itself through the 3rd Party API (not a float funding, not an operation the back office or another partner made, not a cancellation).",
    "message": {
      "fr": "Opération non annulable par le partenaire",
      "en": "Operation not reversible by the partner"
    }
  },
  "STATEMENT_DAY_NOT_STARTED": {
    "code": "4083",
    "status": 422,
    "meaning": "The daily statement asked for is of a day that has not started yet (in the statement's time zone).",
    "message": {
      "fr": "Journée non commencée",
      "en": "Day not started"
    }
  },
  "SELF_ADMINISTRATION_FORBIDDEN": {
    "code": "4100",
    "status": 403,
    "meaning": "A partner never changes its own contracts, IP allow-list, authentication options (HTTP Basic, the client certificates of mutual TLS, the legacy balance enquiry) or recharge limits, nor those of a partner in its line: one that created it or made one of its live secrets (through which it would change its own), or one it created, directly or through partners it created, or whose live secret it made (which it can act as), unless it carries every Core scope; nor does it create a partner with HTTP Basic allowed unless it carries every Core scope. Another administrator does. Renaming itself, narrowing its scopes and rotating its own secret stay allowed.",
    "message": {
      "fr": "Un partenaire ne peut pas modifier ses propres accès",
      "en": "A partner cannot change its own access"
    }
  },
  "CARD_NOT_CONTRACTED": {
    "code": "4101",
    "status": 409,
    "meaning": "A recharge voucher paid from a partner's float credits only member cards of clients the partner has an active contract for, as the partner's own recharges do (the debugMessage names the line). Contract the partner for the client, or pay the voucher from the issuer's float.",
    "message": {
      "fr": "Carte hors contrat du partenaire payeur",
      "en": "Card outside the paying partner's contracts"
    }
  },
  "PRICE_DEVIATION": {
    "code": "4120",
    "status": 409,
    "meaning": "The unit price charged strays from the energy type's price in force beyond the hard price tolerance of the service point (or its network). `details` gives the unit price charged, the price in force, the deviation (signed, XOF per litre), the tolerance allowed that way and where it was set (`service-point` or `network`). Charge the price in force; nothing moved.",
    "message": {
      "fr": "Prix unitaire hors de la tolérance autorisée",
      "en": "Unit price outside the allowed tolerance"
    }
  },
  "PRICE_AGREEMENT_NOT_AFTER_LATEST": {
    "code": "4121",
    "status": 409,
    "meaning": "A client's new price agreement for an energy type must take effect after its latest one; history is never rewritten.",
    "message": {
      "fr": "Le nouvel accord de prix doit suivre le dernier",
      "en": "The new price agreement must follow the latest one"
    }
  },
  "CLIENT_PRICE_NOT_POSITIVE": {
    "code": "4122",
    "status": 409,
    "meaning": "The client's discount per litre is not below the pump price charged, so the fill would cost the client nothing. `details` gives the pump price, the discount and the agreement. Nothing moved; correct the agreement with a new one.",
    "message": {
      "fr": "La remise du client dépasse le prix à la pompe",
      "en": "The client's discount exceeds the pump price"
    }
  },
  "CARD_HOLDS_VALUE": {
    "code": "4140",
    "status": 409,
    "meaning": "The card still holds value and its cancellation says nowhere to move it: a cancelled card would keep it for ever. `details` gives the card's balances per unit (posted, held, available). Cancel again with `remainingBalance`: to another member card of the card's client (`{\"to\": \"card\", \"cardId\": ...}`, a full transfer) or to the issuer's card refunds account (`{\"to\": \"refund\"}`), which the issuer settles with the client.",
    "message": {
      "fr": "La carte détient encore un solde",
      "en": "The card still holds a balance"
    }
  },
  "CARD_HAS_OPEN_HOLDS": {
    "code": "4141",
    "status": 409,
    "meaning": "The card has open pump authorisations: a station may still capture them. `details` lists them (id, amount, expiry) with the card's balances; capture or void them (or let them expire), then cancel the card.",
    "message": {
      "fr": "La carte a des autorisations en cours",
      "en": "The card has open authorisations"
    }
  },
  "CORRECTED_OPERATION_MISMATCH": {
    "code": "4142",
    "status": 409,
    "meaning": "The operation a regularisation names in `corrects` cannot be corrected by it: it did not move value on the regularised card, it is in another unit, or it is a cancellation (debugMessage says which). Name the operation of this card that the regularisation corrects.",
    "message": {
      "fr": "Opération corrigée sans rapport avec la régularisation",
      "en": "Corrected operation does not match the regularisation"
    }
  },
  "BALANCE_DESTINATION_INVALID": {
    "code": "4143",
    "status": 409,
    "meaning": "The card named to receive the balance of a card being cancelled cannot take it: it is the cancelled card itself, or not a member card of the same client (debugMessage says which). Name another member card of the client, or move the balance to the refund account.",
    "message": {
      "fr": "Destination du solde invalide",
      "en": "Invalid balance destination"
    }
  },
  "REFUND_ALREADY_PAID": {
    "code": "4190",
    "status": 409,
    "meaning": "The card refund named was already paid out: a payout that stands settles it (its id in `details.payoutId`). A refund is paid once, in full; cancel that payout first to pay it again.",
    "message": {
      "fr": "Remboursement déjà versé",
      "en": "Refund already paid out"
    }
  },
  "NOT_A_STANDING_REFUND": {
    "code": "4191",
    "status": 409,
    "meaning": "The operation a payout names is not a card refund, or it was cancelled: only a card refund that stands can be paid out.",
    "message": {
      "fr": "L'opération n'est pas un remboursement à verser",
      "en": "Not a card refund to pay out"
    }
  },
  "SETTLEMENT_ALREADY_PAID": {
    "code": "4200",
    "status": 409,
    "meaning": "The service point's settlement of that day, in that unit, was already paid: a payout that stands pays it (its id in `details.payoutId`). A settlement is paid once; cancel that payout first to pay it again.",
    "message": {
      "fr": "Règlement de la journée déjà versé",
      "en": "The day's settlement was already paid"
    }
  },
  "SETTLEMENT_DAY_OPEN": {
    "code": "4201",
    "status": 409,
    "meaning": "The settlement's day is not closed: it has not ended in its time zone, or an operation begun before its end is still being booked. Pay it once its settlement reads `closed`.",
    "message": {
      "fr": "Journée non clôturée",
      "en": "The day is not closed"
    }
  },
  "SETTLEMENT_NOTHING_DUE": {
    "code": "4202",
    "status": 409,
    "meaning": "The settlement's `net` is not above zero: nothing is owed to the station for that day (its cancellations and fees outweigh its sales, or it had none); `debugMessage` gives the figure.",
    "message": {
      "fr": "Rien à verser pour cette journée",
      "en": "Nothing is owed for this day"
    }
  },
  "SETTLEMENT_DAY_NOT_STARTED": {
    "code": "4203",
    "status": 422,
    "meaning": "The settlement asked for is of a day that has not started yet in the time zone of the service point's network.",
    "message": {
      "fr": "Journée non commencée",
      "en": "Day not started"
    }
  },
  "AMOUNT_SCALE_MISMATCH": {
    "code": "4210",
    "status": 400,
    "meaning": "An amount of the request gives a `scale` that is not its unit's (`errors` names the field; `details` gives the unit and its scale). Leave `scale` out, or give the unit's (`GET /partner/v1/units/{unitCode}`); `value` always counts the unit's smallest denomination.",
    "message": {
      "fr": "Échelle incohérente avec l'unité",
      "en": "Scale does not match the unit"
    }
  },
  "AMOUNT_DECIMAL_MISMATCH": {
    "code": "4211",
    "status": 400,
    "meaning": "An amount of the request gives a `decimal` that is not its `value` at the unit's scale (`value` / 10^scale with exactly `scale` decimals; `errors` names the field, `details` gives the unit and its scale). Leave `decimal` out, or give the one the value makes.",
    "message": {
      "fr": "Montant décimal incohérent avec la valeur",
      "en": "Decimal amount does not match the value"
    }
  },
  "QUANTITY_FINER_THAN_UNIT": {
    "code": "4212",
    "status": 400,
    "meaning": "A quantity in millilitres cannot be expressed in the litre unit it is paid in: a unit of scale 2 counts hundredths of a litre, so the quantity must be a multiple of 10 mL (of scale 1, 100 mL; of scale 3, any). `errors` names the field; `details` gives the unit, its scale and the step in mL.",
    "message": {
      "fr": "Quantité plus fine que l'unité",
      "en": "Quantity finer than the unit"
    }
  },
  "SANDBOX_KEY_ON_LIVE": {
    "code": "4220",
    "status": 401,
    "meaning": "The consumer-key is a sandbox credential (`ck_test_...`) and this server is a live deployment: a sandbox credential never works against live money. Call the sandbox deployment with it, or use your live credentials here. Answered at `/oauth/token` (401 after HTTP Basic, 400 after credentials in the body, with `error: invalid_client`) and on resource calls with HTTP Basic; the secret is not looked at.",
    "message": {
      "fr": "Identifiants du bac à sable refusés par le serveur de production",
      "en": "Sandbox credentials refused by the live server"
    }
  },
  "LIVE_KEY_ON_SANDBOX": {
    "code": "4221",
    "status": 401,
    "meaning": "The consumer-key is a live credential (`ck_live_...`, or a key made before sandboxes existed) and this server is a sandbox deployment, which accepts only sandbox credentials (`ck_test_...`). Answered like 4220; the secret is not looked at.",
    "message": {
      "fr": "Identifiants de production refusés par le bac à sable",
      "en": "Live credentials refused by the sandbox"
    }
  },
  "SANDBOX_ONLY": {
    "code": "4222",
    "status": 403,
    "meaning": "The operation exists only on a sandbox deployment (`CYNOD_MODE=sandbox`): simulations (`/partner/v1/simulate/...`) and what a practice environment alone offers. This server is live; nothing was done.",
    "message": {
      "fr": "Opération réservée au bac à sable",
      "en": "Sandbox-only operation"
    }
  },
  "SANDBOX_CLOCK_SHARED": {
    "code": "4223",
    "status": 409,
    "meaning": "A client the partner is contracted for is also contracted to another partner: its cards' time is theirs too, and a partner's test clock moves only a world of its own. Nothing moved. Practise on a client of your own (a seeded sandbox partner has one).",
    "message": {
      "fr": "Horloge partagée avec un autre partenaire",
      "en": "Clock shared with another partner"
    }
  },
  "SANDBOX_CLOCK_NO_WORLD": {
    "code": "4224",
    "status": 409,
    "meaning": "The partner has no active contract for a client: its test clock has no cards to move. Nothing moved.",
    "message": {
      "fr": "Aucune carte à faire avancer",
      "en": "No cards to move in time"
    }
  },
  "CARD_EXPIRY_OUT_OF_RANGE": {
    "code": "4225",
    "status": 400,
    "meaning": "The validity date given for a card is not later than now (in the card's world on a sandbox whose test clock moved) or is more than 120 months ahead, the longest validity of a card profile. To expire a card now, send no `expiresAt`. Nothing changed.",
    "message": {
      "fr": "Date d'expiration de carte hors des bornes",
      "en": "Card expiry date out of range"
    }
  },
  "STATION_REFERENCE_REUSED": {
    "code": "4130",
    "status": 409,
    "meaning": "The service point already has an authorisation with this station reference, placed by the same caller (a station's references are its own: another partner's are not seen). Give each pump transaction its own reference, or find the existing authorisation with the `stationReference` filter of the list.",
    "message": {
      "fr": "Référence station déjà utilisée à ce point de service",
      "en": "Station reference already used at this service point"
    }
  },
  "STATION_REFERENCE_FIXED": {
    "code": "4131",
    "status": 409,
    "meaning": "The authorisation already carries another station reference: a reference once given does not change (giving the same one again succeeds and changes nothing).",
    "message": {
      "fr": "L'autorisation porte déjà une autre référence station",
      "en": "The authorisation already has another station reference"
    }
  },
  "OPERATOR_NOT_FOUND": {
    "code": "3030",
    "status": 404,
    "meaning": "No operator has this id.",
    "message": {
      "fr": "Opérateur introuvable",
      "en": "Operator not found"
    }
  },
  "OPERATOR_ROLE_NOT_FOUND": {
    "code": "3031",
    "status": 404,
    "meaning": "No operator role has this id.",
    "message": {
      "fr": "Rôle introuvable",
      "en": "Role not found"
    }
  },
  "OPERATOR_GRANT_NOT_FOUND": {
    "code": "3032",
    "status": 404,
    "meaning": "The operator has no role grant with this id.",
    "message": {
      "fr": "Attribution de rôle introuvable",
      "en": "Role grant not found"
    }
  },
  "OPERATOR_RIGHT_MISSING": {
    "code": "4180",
    "status": 403,
    "meaning": "The operator holds no role granting the right this operation needs (the operation's x-operator-right), over any scope.",
    "message": {
      "fr": "Droit insuffisant pour cette opération",
      "en": "You do not have the right to perform this operation"
    }
  },
  "OPERATOR_RIGHT_SCOPED": {
    "code": "4181",
    "status": 403,
    "meaning": "The operator holds the right only over some networks, clients or service points, this operation's path names none of them, and the operation does not keep its answer within them (`x-operator-scoped`, as the lists do); creations, vouchers and the issuer's referential need the right over the whole issuer.",
    "message": {
      "fr": "Ce droit ne vous est accordé que sur un périmètre limité",
      "en": "You hold this right only over a limited scope"
    }
  },
  "OPERATOR_NOT_ENROLLED": {
    "code": "4182",
    "status": 403,
    "meaning": "The operator token is valid but names no active operator (its issuer and subject are not enrolled, or the operator is disabled).",
    "message": {
      "fr": "Opérateur non habilité",
      "en": "Operator not enrolled"
    }
  },
  "OPERATOR_EXISTS": {
    "code": "4183",
    "status": 409,
    "meaning": "An operator with this issuer and subject already exists.",
    "message": {
      "fr": "Cet opérateur existe déjà",
      "en": "This operator already exists"
    }
  },
  "OPERATOR_ROLE_EXISTS": {
    "code": "4184",
    "status": 409,
    "meaning": "A role with this name already exists.",
    "message": {
      "fr": "Ce rôle existe déjà",
      "en": "This role already exists"
    }
  },
  "CONTROLS_BEYOND_PROFILE": {
    "code": "4185",
    "status": 403,
    "meaning": "An operator whose right to set controls covers only some networks, client companies or service points (a fleet manager) sets a card's controls only within what the card's profile allows: where the profile sets a rule, the card's keeps every limit and does not raise it, stays hard where it is hard, keeps to the profile's services and fuels and its minimum interval between fills, and does not replace its places or hours. `errors` names each field beyond it.",
    "message": {
      "fr": "Ces contrôles dépassent ce que permet le profil de la carte",
      "en": "These controls go beyond what the card's profile allows"
    }
  },
  "STEP_UP_REQUIRED": {
    "code": "4186",
    "status": 401,
    "meaning": "The operation needs a recent strong authentication of the operator (`x-operator-step-up`): the token's `acr` must be the step-up one (OIDC_STEP_UP_ACR) or its `amr` name `mfa` (RFC 8176), and its `auth_time` be at most the declared age. The `WWW-Authenticate` challenge says `error=\"insufficient_user_authentication\"` with `acr_values` and `max_age` (RFC 9470): authenticate again at the identity provider with a second factor, then retry.",
    "message": {
      "fr": "Authentification forte récente requise",
      "en": "A recent strong authentication is required"
    }
  },
  "CLIENT_CERTIFICATE_REQUIRED": {
    "code": "4187",
    "status": 401,
    "meaning": "The partner must authenticate with mutual TLS (RFC 8705; its `certificateThumbprints`) and the connection presented no client certificate: at the token, revocation and introspection endpoints (`invalid_client`; 400 after form-parameter credentials, as RFC 6749 §5.2 says) and on HTTP Basic calls. Connect with the client certificate registered for the partner, to a server that terminates TLS itself.",
    "message": {
      "fr": "Certificat client requis",
      "en": "Client certificate required"
    }
  },
  "CLIENT_CERTIFICATE_NOT_REGISTERED": {
    "code": "4188",
    "status": 401,
    "meaning": "The partner must authenticate with mutual TLS and the client certificate the connection presented is not one registered for it (its SHA-256 thumbprint, `x5t#S256`, is not in the partner's `certificateThumbprints`); `invalid_client` at the OAuth endpoints, as for code 4187. debugMessage names the thumbprint presented.",
    "message": {
      "fr": "Certificat client non enregistré pour ce partenaire",
      "en": "Client certificate not registered for this partner"
    }
  },
  "TOKEN_CERTIFICATE_MISMATCH": {
    "code": "4189",
    "status": 401,
    "meaning": "The access token is bound to a client certificate (RFC 8705 §3, `cnf.x5t#S256`) and the connection does not present that certificate, or its partner must authenticate with mutual TLS and the connection presents none of its certificates. `WWW-Authenticate` says `error=\"invalid_token\"`. Call again on a connection with the certificate the token was issued for, or get a new token with the partner's current certificate.",
    "message": {
      "fr": "Jeton lié à un autre certificat client",
      "en": "Access token bound to another client certificate"
    }
  },
  "WEBHOOK_URL_REFUSED": {
    "code": "4150",
    "status": 400,
    "meaning": "The webhook URL cannot be used: not `https://` (plain `http://` only to a loopback address on a server in test mode), a user or password in it, a host that does not resolve, or one that resolves to a private, loopback, link-local, shared, multicast or metadata address (IPv4, IPv6 and IPv4-mapped forms alike). debugMessage says which. Give a public HTTPS URL.",
    "message": {
      "fr": "Adresse de webhook refusée",
      "en": "Webhook URL refused"
    }
  },
  "WEBHOOK_ENDPOINT_LIMIT": {
    "code": "4151",
    "status": 409,
    "meaning": "The partner already has 5 webhook endpoints, the most it may have. Delete one, or give one several event types.",
    "message": {
      "fr": "Nombre maximal de webhooks atteint",
      "en": "Webhook endpoint limit reached"
    }
  },
  "WEBHOOK_REDELIVERY_INVALID": {
    "code": "4152",
    "status": 400,
    "meaning": "A redelivery names either one event (`eventId`) or a time range (`from` before `to`, at most 31 days apart), not both and not neither. debugMessage says which.",
    "message": {
      "fr": "Demande de renvoi invalide",
      "en": "Invalid redelivery request"
    }
  },
  "WEBHOOK_ENDPOINT_NOT_FOUND": {
    "code": "4153",
    "status": 404,
    "meaning": "No webhook endpoint with this id belongs to the partner (another partner's endpoints are never shown).",
    "message": {
      "fr": "Webhook introuvable",
      "en": "Webhook endpoint not found"
    }
  },
  "WEBHOOK_EVENT_NOT_FOUND": {
    "code": "4154",
    "status": 404,
    "meaning": "The event was never queued for this endpoint (not in the partner's feed, not of its event types, or from before the endpoint was registered), or its delivery is older than the delivery log's retention (30 days by default).",
    "message": {
      "fr": "Événement introuvable pour ce webhook",
      "en": "Event not found for this webhook endpoint"
    }
  },
  "NOT_ACCEPTABLE": {
    "code": "4170",
    "status": 406,
    "meaning": "The request's Accept header names none of the media types the operation answers in (every operation answers application/json; the lists and statements the back office exports also text/csv, and the operations and statements an Excel workbook, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet). Leave Accept out, or ask for one of them.",
    "message": {
      "fr": "Format de réponse non disponible",
      "en": "Response format not available"
    }
  },
  "TIME_ZONE_UNKNOWN": {
    "code": "4160",
    "status": 400,
    "meaning": "The time zone given (a network's, a client's or a service point's `timeZone`, a statement's `timeZone` parameter) is not an IANA time zone name the server knows, such as `Africa/Porto-Novo`, `Africa/Niamey` or `Africa/Abidjan`; `errors` names the field.",
    "message": {
      "fr": "Fuseau horaire inconnu",
      "en": "Unknown time zone"
    }
  },
  "STATEMENT_TIME_ZONE_REQUIRED": {
    "code": "4161",
    "status": 400,
    "meaning": "The partner is contracted in networks that keep different time zones, so its daily statement has no one day: name the time zone with the `timeZone` parameter (the debugMessage lists the networks' zones).",
    "message": {
      "fr": "Fuseau horaire du relevé à préciser",
      "en": "Statement time zone required"
    }
  },
  "SYSTEM_ERROR": {
    "code": "9999",
    "status": 500,
    "meaning": "An unexpected error; details are in the server logs under the requestId.",
    "message": {
      "fr": "Erreur système, veuillez réessayer plus tard",
      "en": "System error, please try again later"
    }
  },
  "SERVICE_UNAVAILABLE": {
    "code": "9999",
    "status": 503,
    "meaning": "A dependency (the database) does not answer, or the server is shutting down (GET /ready); retry later.",
    "message": {
      "fr": "Service momentanément indisponible",
      "en": "Service temporarily unavailable"
    }
  },
  "DATABASE_BUSY": {
    "code": "9998",
    "status": 503,
    "meaning": "The database is busy (a lock or a statement took too long, or concurrent updates kept conflicting) and the request was not carried out; retry after Retry-After seconds.",
    "message": {
      "fr": "Service momentanément surchargé, veuillez réessayer",
      "en": "Service temporarily busy, please retry"
    }
  }
} as const;

export type CodeName = keyof typeof codeCatalog;

/** The end user's message of each exception kind (components.schemas.CardException x-message-catalog). */
export const exceptionMessages = {
  "soft-rule": {
    "fr": "Règle de dépense souple dépassée : opération acceptée et signalée",
    "en": "Soft spending rule exceeded: approved and flagged"
  },
  "offline-over-cap": {
    "fr": "Plafond mensuel hors ligne du profil dépassé",
    "en": "Profile's monthly offline cap exceeded"
  },
  "offline-over-ceiling": {
    "fr": "Plafond hors ligne du point de service dépassé",
    "en": "Service point's offline ceiling exceeded"
  },
  "over-tank": {
    "fr": "Plein supérieur au réservoir du véhicule",
    "en": "Fill larger than the vehicle's tank"
  },
  "odometer-backwards": {
    "fr": "Kilométrage inférieur au dernier relevé du véhicule",
    "en": "Odometer below the vehicle's last reading"
  },
  "price-deviation": {
    "fr": "Prix unitaire hors de la tolérance du prix en vigueur",
    "en": "Unit price outside the tolerance of the price in force"
  }
} as const;
