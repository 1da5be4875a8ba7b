"""Problem codes: short, stable identifiers (tests, the emulator and users match on them); a leaf module.

docs/validation.md lists every code with the rule behind it. A code never changes meaning; new rules get
new codes.
"""

from __future__ import annotations

# -- reading the input ---------------------------------------------------------------------------------
UNREADABLE = "unreadable"  #: the file cannot be read
INVALID_JSON = "invalid-json"  #: not JSON, even allowing comments and trailing commas
LENIENT_JSON = "lenient-json"  #: warning: JSON with // or /* */ comments or trailing commas
NOT_A_TEMPLATE = "not-a-template"  #: not an object, or no properties object
NO_IMAGE_TEMPLATE = "no-image-template"  #: a deployment template without an imageTemplates resource
AMBIGUOUS_RESOURCE = "ambiguous-resource"  #: several imageTemplates resources and no resource_name
RESOURCE_NOT_FOUND = "resource-not-found"  #: resource_name names no imageTemplates resource
INTERNAL_ERROR = "internal-error"  #: the CLI could not check a file because of a bug (please report it)
COPY_LOOP = "copy-loop"  #: warning: an imageTemplates resource in a copy loop, checked for copyIndex() = 0

# -- parameters and ARM expressions ----------------------------------------------------------------------
PARAMETERS_INVALID = "parameters-invalid"  #: a parameters file that cannot be read (or a Key Vault value)
PARAMETER_UNUSED = "parameter-unused"  #: warning: a value given for no parameter and no <placeholder>
ARM_EXPRESSION_INVALID = "arm-expression-invalid"  #: "[concat('a']" : not a well-formed ARM expression

# -- any field -----------------------------------------------------------------------------------------
MISSING_FIELD = "missing-field"  #: a required field is absent (or empty)
WRONG_VALUE_TYPE = "wrong-value-type"  #: e.g. a string where a list of strings is expected
UNKNOWN_FIELD = "unknown-field"  #: a field the version does not know (error from 2024-02-01, else warning)
WRONG_CASE = "wrong-case"  #: a name or value in the wrong case (error from 2024-02-01, else warning)
ENUM_VALUE = "enum-value"  #: not one of the values the field takes at this api-version
MUTUALLY_EXCLUSIVE = "mutually-exclusive"  #: two fields that cannot be given together
FIELD_NEWER_THAN_API_VERSION = "field-newer-than-api-version"  #: needs a later apiVersion (error from 2024)
FIELD_REMOVED_IN_API_VERSION = "field-removed-in-api-version"  #: only older apiVersions know it (ditto)
PLACEHOLDER = "placeholder"  #: an unfilled ``<placeholder>`` or ``{placeholder}`` from the document
ARM_EXPRESSION = "arm-expression"  #: warning: ``[parameters('x')]``, evaluated by ARM, left unchecked
VALUE_OUT_OF_RANGE = "value-out-of-range"  #: a number outside what the service accepts
RESOURCE_ID_MALFORMED = "resource-id-malformed"  #: not an Azure resource id of the expected kind
URL_INVALID = "url-invalid"  #: a script or file location that is not an http(s) URL
URL_NOT_HTTPS = "url-not-https"  #: warning: http:// travels in clear text

# -- type and apiVersion -------------------------------------------------------------------------------
RESOURCE_TYPE = "resource-type"  #: type is not Microsoft.VirtualMachineImages/imageTemplates
RESOURCE_TYPE_INCOMPLETE = "resource-type-incomplete"  #: warning: e.g. "Microsoft.VirtualMachineImages"
API_VERSION_UNKNOWN = "api-version-unknown"  #: not an api-version of imageTemplates
API_VERSION_RETIRED = "api-version-retired"  #: warning: 2018-02-01-preview / 2019-02-01-preview (upgrade)
API_VERSION_ASSUMED = "api-version-assumed"  #: warning: none declared; the range its fields fit was assumed
API_VERSION_DIFFERS = "api-version-differs"  #: warning: sent at another version than the template says

# -- location, identity --------------------------------------------------------------------------------
LOCATION_NOT_IN_PREVIEW = "location-not-in-preview"  #: at 2019-05-01-preview, one of the seven regions
LOCATION_INVALID = "location-invalid"  #: not a region name
IDENTITY_TYPE = "identity-type"  #: identity.type must be UserAssigned
IDENTITY_COUNT = "identity-count"  #: exactly one user-assigned identity
IDENTITY_REQUIRED = "identity-required"  #: api-version 2020-02-14 and later require an identity

# -- source ----------------------------------------------------------------------------------------------
SOURCE_TYPE_UNKNOWN = "source-type-unknown"  #: not PlatformImage, ManagedImage or SharedImageVersion
ISO_SOURCE_DEPRECATED = "iso-source-deprecated"  #: RHEL ISO sources are no longer accepted

# -- buildTimeoutInMinutes -------------------------------------------------------------------------------
BUILD_TIMEOUT_RANGE = "build-timeout-range"  #: 0..960 (0 = the 240-minute default)
BUILD_TIMEOUT_SHORT_FOR_WINDOWS = "build-timeout-short-for-windows"  #: warning: < 60 for Windows

# -- customize ---------------------------------------------------------------------------------------------
CUSTOMIZER_TYPE_UNKNOWN = "customizer-type-unknown"  #: not one of the five customizer types
CUSTOMIZER_NAME_DUPLICATE = "customizer-name-duplicate"  #: names must be unique (service tolerated it)
SCRIPT_SOURCE = "script-source"  #: Shell/PowerShell need exactly one of scriptUri / inline
SHA256_INVALID = "sha256-invalid"  #: sha256Checksum is 64 hex characters
RESTART_TIMEOUT_INVALID = "restart-timeout-invalid"  #: like "5m" or "2h"
FILE_DESTINATION_OUTSIDE_TMP = "file-destination-outside-tmp"  #: on Linux only /tmp is writable
CUSTOMIZER_OS_MISMATCH = "customizer-os-mismatch"  #: a Windows customizer on Linux, or Shell on Windows

# -- validate -------------------------------------------------------------------------------------------
VALIDATOR_TYPE_UNKNOWN = "validator-type-unknown"  #: not Shell, PowerShell or File (2022-07-01 and later)

# -- distribute -------------------------------------------------------------------------------------------
DISTRIBUTE_EMPTY = "distribute-empty"  #: at least one distributor
DISTRIBUTOR_TYPE_UNKNOWN = "distributor-type-unknown"  #: not managedImage, sharedImage or VHD
RUN_OUTPUT_NAME_INVALID = "run-output-name-invalid"  #: ^[A-Za-z0-9-_.]{1,64}$
RUN_OUTPUT_NAME_DUPLICATE = "run-output-name-duplicate"  #: unique across distributors
VERSION_SCHEME_UNKNOWN = "version-scheme-unknown"  #: versioning.scheme is not Latest or Source
DISTRIBUTOR_LOCATION_NOT_IN_PREVIEW = "distributor-location-not-in-preview"  #: (service tolerated it)

#: Codes of document rules the real service was seen to accept (in recorded sessions): two Shell
#: customizers with the same name, and managed-image distributions to regions outside the preview list.
#: A faithful emulator accepts templates whose only errors carry these codes.
SERVICE_TOLERATED_CODES: frozenset[str] = frozenset(
    {CUSTOMIZER_NAME_DUPLICATE, DISTRIBUTOR_LOCATION_NOT_IN_PREVIEW}
)

#: Every code, for documentation and tests.
ALL_CODES: frozenset[str] = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
