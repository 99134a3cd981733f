/* Wire constants of the OTA stream protocol, version 1 (docs/stream-protocol.md is the specification). */
#ifndef OTA_PROTO_H
#define OTA_PROTO_H

#define OTA_PROTO_VERSION 1u
#define OTA_SOF 0xA5u

/* Host to agent. */
#define OTA_T_HELLO 0x01u
#define OTA_T_START 0x02u
#define OTA_T_DATA 0x03u
#define OTA_T_END 0x04u
#define OTA_T_ABORT 0x05u
/* Agent to host. */
#define OTA_T_INFO 0x81u
#define OTA_T_READY 0x82u
#define OTA_T_ACK 0x83u
#define OTA_T_NAK 0x84u
#define OTA_T_RESULT 0x85u
#define OTA_T_ERROR 0x86u

/* Capability flags (INFO) and START flags. */
#define OTA_CAP_DEFLATE 0x01u
#define OTA_START_DEFLATE 0x01u

/* INFO session state. */
#define OTA_SESSION_NONE 0u
#define OTA_SESSION_PARTIAL 1u
#define OTA_SESSION_COMPLETE 2u

/* NAK reasons. */
#define OTA_NAK_CRC 1u
#define OTA_NAK_GAP 2u
#define OTA_NAK_IDLE 3u

/* RESULT status. */
#define OTA_RESULT_OK 0u
#define OTA_RESULT_HASH_MISMATCH 1u
#define OTA_RESULT_BOOT_HOOK_FAILED 2u
#define OTA_RESULT_READ_FAILED 3u

/* ERROR codes. */
#define OTA_E_VERSION 1u      /* HELLO asked for a protocol version the agent does not speak */
#define OTA_E_TOO_LARGE 2u    /* START: the image does not fit the flash area (detail: flash bytes) */
#define OTA_E_BAD_START 3u    /* START: malformed, or resume offset not one the agent has (detail: committed) */
#define OTA_E_ERASE 4u        /* flash erase failed (detail: offset) */
#define OTA_E_WRITE 5u        /* flash write failed (detail: offset) */
#define OTA_E_INFLATE 6u      /* the compressed stream is invalid (detail: inflater error, negated) */
#define OTA_E_OVERFLOW 7u     /* more data than the announced size, or the stream ended short (detail: bytes) */
#define OTA_E_NO_SESSION 8u   /* DATA or END without an accepted START */
#define OTA_E_UNSUPPORTED 9u  /* START asked for compression or a window the agent lacks (detail: max bits) */
#define OTA_E_STATE 10u       /* the resume state could not be saved (detail: offset) */

#define OTA_INFO_LEN 68u
#define OTA_START_LEN 52u

#endif
