/* CRC-32/ISO-HDLC (zip, PNG, Ethernet), with a 16-entry table. */
#ifndef OTA_CRC32_H
#define OTA_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order; the result of the last call is the CRC. */
uint32_t ota_crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
