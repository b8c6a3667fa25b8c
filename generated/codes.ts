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
    "meaning": "The two cards belong to clients of different networks (a transfer stays within a client or a network; a full transfer within a client).",
    "message": {
      "fr": "Transfert non autorisé entre ces cartes",
      "en": "Transfer not allowed between these cards"
    }
  },
  "FULL_TRANSFER_SOURCE_NOT_OPPOSED": {
    "code": "4027",
    "status": 409,
    "meaning": "A full transfer moves the balance of an opposed card only; oppose the card first.",
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
    "meaning": "The author of a voucher cannot validate or reject it (maker-checker) unless they hold core:orders.chain.",
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
    "meaning": "The contract has already ended.",
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
  "RECHARGE_LIMIT_EXCEEDED": {
    "code": "4080",
    "status": 409,
    "meaning": "The recharge would go beyond one of the partner's recharge limits (per operation, per day, or per card per day; days are UTC days); `details` names the limit and its figures. Nothing moved.",
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
    "meaning": "The daily statement asked for is of a day that has not started yet (UTC).",
    "message": {
      "fr": "Journée non commencée",
      "en": "Day not started"
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
