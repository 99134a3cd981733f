/* A sketch of the HAL for an STM32F4 (register level, no vendor headers): USART1 receiving by interrupt into the
 * agent's ring, the image area in flash sectors 5..7 (3 x 128 KiB at 0x08020000), the resume state in the last
 * 16 KiB of sector 1... adapt addresses, clocks and sectors to your part and linker script. Builds as is, so that
 * `make cortex-m` measures a realistic footprint; it has not been run on a board. */
#include <string.h>

#include "ota_hal.h"
#include "ota_ring.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define USART1_BASE 0x40011000u
#define USART_SR REG(USART1_BASE + 0x00u)
#define USART_DR REG(USART1_BASE + 0x04u)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)

#define FLASH_BASE_R 0x40023c00u
#define FLASH_KEYR REG(FLASH_BASE_R + 0x04u)
#define FLASH_SR REG(FLASH_BASE_R + 0x0cu)
#define FLASH_CR REG(FLASH_BASE_R + 0x10u)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_ERRORS 0xf2u
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_SNB_SHIFT 3u
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)

#define IMAGE_ADDR 0x08020000u
#define IMAGE_BYTES (3u * 128u * 1024u)
#define IMAGE_FIRST_SECTOR 5u
#define SECTOR_BYTES (128u * 1024u)
#define STATE_ADDR 0x08004000u /* sector 1 (16 KiB), kept for the resume state */
#define STATE_SECTOR 1u

#define SYST_CSR REG(0xe000e010u)
#define SYST_RVR REG(0xe000e014u)
#define SYST_CVR REG(0xe000e018u)

static volatile uint32_t millis;

/* Vector table entries (see main.c). */
void SysTick_Handler(void);
void USART1_IRQHandler(void);

void SysTick_Handler(void)
{
    millis++;
}

void USART1_IRQHandler(void)
{
    while (USART_SR & USART_SR_RXNE) (void)ota_ring_put((uint8_t)USART_DR);
}

void board_init(void);
void board_init(void)
{
    /* Clocks, pins and USART1 (baud, RXNEIE, NVIC) are set up by the bootloader before this; 16 MHz HSI here. */
    SYST_RVR = 16000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;
}

size_t ota_hal_uart_read(uint8_t *buf, size_t max, uint32_t timeout_ms)
{
    uint32_t start = millis;
    while (ota_ring_count() == 0 && (uint32_t)(millis - start) < timeout_ms) {
        __asm volatile("wfi");
    }
    return ota_ring_get(buf, max);
}

int ota_hal_uart_write(const uint8_t *data, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        while (!(USART_SR & USART_SR_TXE)) {
        }
        USART_DR = data[i];
    }
    return 0;
}

void ota_hal_flash_info(ota_flash_info *info)
{
    info->flash_bytes = IMAGE_BYTES;
    info->page_bytes = 1024;
    info->erase_bytes = SECTOR_BYTES;
}

static void unlock(void)
{
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = 0x45670123u;
        FLASH_KEYR = 0xcdef89abu;
    }
}

static int wait_idle(void)
{
    while (FLASH_SR & FLASH_SR_BSY) {
    }
    if (FLASH_SR & FLASH_SR_ERRORS) {
        FLASH_SR = FLASH_SR_ERRORS;
        return -1;
    }
    return 0;
}

static int erase_sector(uint32_t sector)
{
    unlock();
    if (wait_idle() != 0) return -1;
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | (sector << FLASH_CR_SNB_SHIFT);
    FLASH_CR |= FLASH_CR_STRT;
    return wait_idle();
}

int ota_hal_flash_erase(uint32_t offset, uint32_t len)
{
    uint32_t s;
    for (s = offset / SECTOR_BYTES; s < (offset + len) / SECTOR_BYTES; s++) {
        if (erase_sector(IMAGE_FIRST_SECTOR + s) != 0) return -1;
    }
    return 0;
}

/* Word programming stalls the CPU when it runs from the same bank; the USART interrupt still fills the ring
 * between words, so this blocking version is fine (ota_hal_flash_busy() is then always 0). */
static int program(uint32_t addr, const uint8_t *data, uint32_t len)
{
    uint32_t i;
    unlock();
    if (wait_idle() != 0) return -1;
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    for (i = 0; i < len; i += 4) {
        uint32_t w;
        memcpy(&w, data + i, 4);
        REG(addr + i) = w;
        if (wait_idle() != 0) return -1;
    }
    FLASH_CR = FLASH_CR_LOCK;
    return 0;
}

int ota_hal_flash_write(uint32_t offset, const uint8_t *data, uint32_t len)
{
    return program(IMAGE_ADDR + offset, data, len);
}

int ota_hal_flash_busy(void)
{
    return 0;
}

int ota_hal_flash_read(uint32_t offset, uint8_t *data, uint32_t len)
{
    memcpy(data, (const void *)(IMAGE_ADDR + offset), len);
    return 0;
}

uint32_t ota_hal_millis(void)
{
    return millis;
}

/* The state is small; a real bootloader would append records and erase the sector only when it is full. */
int ota_hal_state_load(void *buf, size_t len)
{
    memcpy(buf, (const void *)STATE_ADDR, len);
    return 0;
}

int ota_hal_state_save(const void *buf, size_t len)
{
    uint8_t copy[64];
    if (len > sizeof copy) return -1;
    memset(copy, 0xff, sizeof copy);
    memcpy(copy, buf, len);
    if (erase_sector(STATE_SECTOR) != 0) return -1;
    return program(STATE_ADDR, copy, (uint32_t)((len + 3u) & ~3u));
}

int ota_hal_mark_bootable(uint32_t size, const uint8_t sha256[32])
{
    /* E.g. write a boot record next to the state, then NVIC_SystemReset() into the new image. */
    (void)size;
    (void)sha256;
    return 0;
}
