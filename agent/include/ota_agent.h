/* The OTA stream agent: call ota_agent_init() once, then ota_agent_poll() from the bootloader's main loop (or
 * ota_agent_run(), which never returns). All state lives in one static object: no heap. */
#ifndef OTA_AGENT_H
#define OTA_AGENT_H
#include <stdint.h>

typedef struct {
    /* Frames the agent has accepted, rejected for a bad CRC, and asked for again. For logs and tests. */
    uint32_t frames_ok;
    uint32_t crc_errors;
    uint32_t naks;
    uint32_t duplicates;
    /* The last session's result (OTA_RESULT_*), or 0xff while none finished. */
    uint8_t last_result;
    /* Counts finished sessions, so a caller can tell a new result from the last one. */
    uint32_t results;
    uint32_t last_size;
    uint8_t last_sha256[32];
    /* Where the last accepted START began (non-zero: a resumed session). */
    uint32_t resumed_from;
    uint32_t sessions;
    /* Milliseconds from READY to the last page committed, in the last finished session (benchmarks). */
    uint32_t last_data_ms;
} ota_agent_stats;

/* Reads the flash geometry and the saved resume state. */
void ota_agent_init(void);
/* Does what is due: reads the UART (waiting at most timeout_ms), handles frames, finishes flash writes. */
void ota_agent_poll(uint32_t timeout_ms);
void ota_agent_run(void);
const ota_agent_stats *ota_agent_get_stats(void);

#endif
